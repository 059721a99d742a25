"""Retrievers compared on the same queries with ranx's ``compare`` and a paired significance test."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

from .dataset import Qrels
from .runs import Run

STAT_TEST = "fisher"  # Fisher's randomisation test: no normality assumption, fine for 0/1 per-query values
MAX_P = 0.05


def compare_runs(qrels: Qrels, runs: Mapping[str, Run], metrics: Sequence[str], stat_test: str = STAT_TEST,
                 max_p: float = MAX_P) -> dict:
    """Scores, p-values of every pair and win/tie/loss counts.

    Returns ``{"stat_test", "max_p", "metrics", "scores": {run: {metric: v}},
    "p_values": {run: {other: {metric: p}}}, "win_tie_loss": {...}}``; judged queries only.
    """
    from ranx import Qrels as RanxQrels
    from ranx import Run as RanxRun
    from ranx import compare

    judged = {qid: docs for qid, docs in qrels.items() if docs}
    if len(runs) < 2 or not judged:
        return {}
    ranx_runs = [RanxRun({qid: dict(run.get(qid, {})) for qid in judged}, name=name) for name, run in runs.items()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = compare(RanxQrels(judged), ranx_runs, list(metrics), stat_test=stat_test, max_p=max_p,
                         rounding_digits=4, random_seed=42)
    raw = report.to_dict()
    names = list(runs)
    return {
        "stat_test": stat_test,
        "max_p": max_p,
        "metrics": list(metrics),
        "n_queries": len(judged),
        "scores": {n: {m: float(v) for m, v in raw[n]["scores"].items()} for n in names},
        "p_values": {n: {o: {m: float(p) for m, p in ps.items()} for o, ps in raw[n]["comparisons"].items()}
                     for n in names},
        "win_tie_loss": {n: raw[n]["win_tie_loss"] for n in names},
    }
