"""Fusion chosen per corpus by measurement: every candidate fusion replayed on the dev split's BM25 and dense
chunk hits exactly as :class:`rag.index.fusion.HybridRetriever` fuses them, scored with ranx, the best kept.

Candidates: RRF over a grid of ``k``; convex fusion of min-max normalised scores over BM25 weights 0…1 in steps of
0.1 (1.0 is BM25's own order, 0.0 dense's: a corpus where one side alone is best can say so); and margin fusion,
whose BM25 weight rises with BM25's top-score margin. The objective is the mean of Hit@1 and MRR@10 on dev; ties
go to the candidate listed first (RRF k=60, then other k, then weights from balanced outwards, then margins).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from rag.index.fusion import Fusion
from rag.types import Hit

from .dataset import Qrels
from .runs import ChunkRun, Run, article_ranking

RRF_KS = (1, 5, 10, 20, 40, 60, 100)
WEIGHTS = tuple(round(i / 10, 1) for i in range(11))
MARGIN_BASE = (0.2, 0.3, 0.4, 0.5)
MARGIN_GAINS = (0.5, 1.0, 2.0)
OBJECTIVE = ("hit_rate@1", "mrr@10")


def candidates() -> list[Fusion]:
    """Every fusion the selection tries, simplest first.

    >>> [f.label() for f in candidates()][:2], len(candidates())
    (['rrf k=60', 'rrf k=1'], 30)
    """
    out = [Fusion("rrf", 60)] + [Fusion("rrf", k) for k in RRF_KS if k != 60]
    # balanced weights first: on a small dev split several candidates tie, and a tie should not hand the corpus to
    # one side alone (weights 0 or 1) on no evidence
    out += [Fusion("weighted", weights=(w, round(1 - w, 1))) for w in sorted(WEIGHTS, key=lambda w: (abs(w - 0.5), w))]
    out += [Fusion("margin", weights=(b, round(1 - b, 1)), margin_gain=g) for b in MARGIN_BASE for g in MARGIN_GAINS]
    return out


def fused_hits(fusion: Fusion, bm25: Sequence[Hit], dense: Sequence[Hit], candidates_n: int) -> list[Hit]:
    """What the hybrid retriever returns for these two hit lists (each cut to ``candidates_n``)."""
    b, d = bm25[:candidates_n], dense[:candidates_n]
    chunks = {h.chunk_id: h.chunk for h in (*b, *d)}
    fused = fusion.fuse({h.chunk_id: h.score for h in b}, {h.chunk_id: h.score for h in d})
    ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Hit(chunks[cid], score, "hybrid") for cid, score in ranked]


def fused_run(fusion: Fusion, chunks: dict[str, ChunkRun], qids: Sequence[str], candidates_n: int) -> Run:
    return {qid: article_ranking(fused_hits(fusion, chunks["bm25"].get(qid, []), chunks["dense"].get(qid, []),
                                            candidates_n)) for qid in qids}


def scores(qrels: Qrels, run: Run, metrics: Sequence[str] = OBJECTIVE) -> dict[str, float]:
    from ranx import Qrels as RanxQrels
    from ranx import Run as RanxRun
    from ranx import evaluate

    judged = {qid: docs for qid, docs in qrels.items() if docs}
    ranx_run = RanxRun({qid: dict(run.get(qid) or {"-": 0.0}) for qid in judged})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = evaluate(RanxQrels(judged), ranx_run, list(metrics), save_results_in_run=False)
    return {m: float(values[m]) for m in metrics} if len(metrics) > 1 else {metrics[0]: float(values)}


def select_fusion(dev: Qrels, chunks: dict[str, ChunkRun], candidates_n: int) -> dict:
    """The best candidate on ``dev``: ``{"fusion", "label", "objective", "dev", "n_dev", "ranking"}``.

    ``ranking`` lists the ten best candidates and, for reference, BM25 and dense alone on the same queries.
    """
    qids = [q for q, docs in dev.items() if docs]
    if not qids:
        raise ValueError("no judged dev query to choose a fusion on")
    results = []
    for n, fusion in enumerate(candidates()):
        s = scores(dev, fused_run(fusion, chunks, qids, candidates_n))
        results.append((sum(s.values()) / len(s), -n, fusion, s))
    results.sort(key=lambda r: (r[0], r[1]), reverse=True)
    best = results[0]
    singles = {name: scores(dev, {q: article_ranking(chunks[name].get(q, [])) for q in qids})
               for name in ("bm25", "dense")}
    return {
        "fusion": best[2], "label": best[2].label(), "objective": f"mean of {' and '.join(OBJECTIVE)}",
        "dev": best[3], "n_dev": len(qids),
        "ranking": [{"fusion": r[2].label(), **r[3]} for r in results[:10]]
        + [{"fusion": f"{name} alone", **s} for name, s in singles.items()],
    }
