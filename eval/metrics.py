"""Retrieval metrics: ranx for the article-level ones, evidence strings for the chunk-level ones, per query.

Every function returns per-query values (``{metric: {qid: value}}``) so that the same numbers can be averaged
overall, by question type, or fed to a significance test.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence

from rag.types import Hit

from .dataset import Evidence, Qrels, Query
from .runs import Run
from .text import contains

RANX_METRICS = ("recall@5", "recall@10", "hit_rate@1", "hit_rate@5", "mrr@10", "ndcg@10", "map")
EVIDENCE_KS = (1, 5, 10)
CURVE_KS = tuple(range(1, 21))
PerQuery = dict[str, dict[str, float]]  # metric -> qid -> value


def ranx_per_query(qrels: Qrels, run: Run, metrics: Sequence[str] = RANX_METRICS) -> PerQuery:
    """ranx's per-query values for the judged queries (queries without judgements are skipped).

    >>> qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    >>> run = {"q1": {"a": 0.9, "b": 0.1}, "q2": {"a": 0.9, "b": 0.5}}
    >>> ranx_per_query(qrels, run, ["mrr@10"])["mrr@10"]
    {'q1': 1.0, 'q2': 0.5}
    """
    from ranx import Qrels as RanxQrels
    from ranx import Run as RanxRun
    from ranx import evaluate

    judged = {qid: docs for qid, docs in qrels.items() if docs}
    if not judged:
        return {m: {} for m in metrics}
    r = RanxRun({qid: dict(run.get(qid, {})) for qid in judged})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's "unsafe cast" type-safety chatter
        evaluate(RanxQrels(judged), r, list(metrics))
    return {m: {qid: float(v) for qid, v in r.scores[m].items()} for m in metrics}


def _chunk_has(hit: Hit, ev: Evidence) -> bool:
    if ev.doc_id and hit.article_id != ev.doc_id:
        return False
    return contains(f"{hit.chunk.heading}\n{hit.chunk.text}", ev.text)


def evidence_found(hits: Sequence[Hit], evidence: Iterable[Evidence], k: int) -> list[bool]:
    """For each evidence string: does one of the top ``k`` chunks (of its article, when named) contain it?"""
    top = hits[:k]
    return [any(_chunk_has(h, ev) for h in top) for ev in evidence]


def evidence_per_query(queries: Iterable[Query], hits: Mapping[str, Sequence[Hit]],
                       ks: Sequence[int] = EVIDENCE_KS) -> PerQuery:
    """``evidence_hit@k`` (any evidence string in the top-k chunks) for queries with evidence, and
    ``list_evidence_recall@10`` (share of a list question's evidence strings in the top-10 chunks)."""
    out: PerQuery = {f"evidence_hit@{k}": {} for k in ks}
    out["list_evidence_recall@10"] = {}
    for q in queries:
        if not q.evidence:
            continue
        found = hits.get(q.id, [])
        for k in ks:
            out[f"evidence_hit@{k}"][q.id] = float(any(evidence_found(found, q.evidence, k)))
        if q.items or q.type == "list":
            flags = evidence_found(found, q.evidence, 10)
            out["list_evidence_recall@10"][q.id] = sum(flags) / len(flags)
    return out


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def summarise(per_query: PerQuery, types: Mapping[str, str]) -> dict[str, dict]:
    """Means overall and by question type, with how many queries each mean covers.

    >>> summarise({"m": {"q1": 1.0, "q2": 0.0, "q3": 1.0}}, {"q1": "a", "q2": "a", "q3": "b"})["by_type"]["a"]
    {'m': 0.5, 'n': 2}
    """
    overall = {m: mean(v.values()) for m, v in per_query.items()}
    overall["n"] = len({qid for v in per_query.values() for qid in v})
    by_type: dict[str, dict[str, float | int | None]] = {}
    for t in sorted(set(types.values())):
        row: dict[str, float | int | None] = {}
        qids: set[str] = set()
        for m, values in per_query.items():
            these = [v for qid, v in values.items() if types.get(qid) == t]
            qids |= {qid for qid in values if types.get(qid) == t}
            row[m] = mean(these)
        row["n"] = len(qids)
        if qids:
            by_type[t] = row
    return {"overall": overall, "by_type": by_type}
