"""Fusion parameters tuned on the dev split with ranx (article-level BM25 and dense runs), for use on test.

* weighted fusion: ``optimize_fusion(norm="min-max", method="wsum")`` over weights in steps of 0.1;
* RRF: ranx's ``fuse(method="rrf")`` over a small grid of ``k``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

from .dataset import Qrels
from .runs import Run

METRIC = "ndcg@10"  # graded by rank and by every relevant article, so list questions count properly
RRF_GRID = (1, 5, 10, 20, 40, 60, 100)


def _ranx_runs(runs: Sequence[Run], qids: Sequence[str]):
    from ranx import Run as RanxRun

    return [RanxRun({qid: dict(run.get(qid, {})) for qid in qids}, name=f"run{i}") for i, run in enumerate(runs)]


def _plain(run) -> Run:
    return {qid: {doc: float(s) for doc, s in docs.items()} for qid, docs in run.to_dict().items()}


def fuse_weighted(runs: Sequence[Run], weights: Sequence[float]) -> Run:
    """Min-max normalised weighted sum of ``runs`` (ranx)."""
    from ranx import fuse

    qids = sorted(set().union(*runs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _plain(fuse(_ranx_runs(runs, qids), norm="min-max", method="wsum", params={"weights": list(weights)}))


def fuse_rrf(runs: Sequence[Run], k: int) -> Run:
    """Reciprocal-rank fusion of ``runs`` (ranx)."""
    from ranx import fuse

    qids = sorted(set().union(*runs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _plain(fuse(_ranx_runs(runs, qids), norm=None, method="rrf", params={"k": k}))


def _score(qrels: Qrels, run: Run, metric: str) -> float:
    from ranx import Qrels as RanxQrels
    from ranx import evaluate

    qids = list(qrels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(evaluate(RanxQrels(qrels), _ranx_runs([run], qids)[0], metric, save_results_in_run=False))


def tune_weights(qrels: Qrels, runs: Sequence[Run], metric: str = METRIC) -> dict:
    """Best ``(bm25, dense)`` weights on ``qrels``' queries: ``{"weights", "metric", "score", "grid"}``."""
    from ranx import Qrels as RanxQrels
    from ranx import optimize_fusion

    judged = {qid: docs for qid, docs in qrels.items() if docs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best, report = optimize_fusion(RanxQrels(judged), _ranx_runs(runs, list(judged)), norm="min-max",
                                       method="wsum", metric=metric, return_optimization_report=True,
                                       show_progress=False, step=0.1)
    weights = tuple(round(float(w), 2) for w in best["weights"])
    # configs read "(0.1, 0.9)" or "(np.float64(0.1), np.float64(0.9))" depending on numpy's repr
    grid = {", ".join(re.findall(r"\d+\.\d+", cfg)): float(v)
            for cfg, v in zip(report.configs, report.results, strict=True)}
    return {"weights": weights, "metric": metric, "score": _score(judged, fuse_weighted(runs, weights), metric),
            "grid": grid}


def tune_rrf(qrels: Qrels, runs: Sequence[Run], metric: str = METRIC, grid: Sequence[int] = RRF_GRID,
             default: int = 60) -> dict:
    """Best RRF ``k`` on ``qrels``' queries; ties go to the ``k`` nearest ``default``."""
    judged = {qid: docs for qid, docs in qrels.items() if docs}
    scores = {k: _score(judged, fuse_rrf(runs, k), metric) for k in grid}
    top = max(scores.values())
    best = min((k for k, v in scores.items() if v >= top - 1e-12), key=lambda k: (abs(k - default), k))
    return {"k": best, "metric": metric, "score": scores[best], "grid": {str(k): v for k, v in scores.items()}}
