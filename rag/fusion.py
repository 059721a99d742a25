"""Rank fusion (pure) and the :class:`HybridRetriever` that fuses BM25 and dense results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .types import Filters, Hit, Retriever


def rrf(runs: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None) -> dict[str, float]:
    """Reciprocal-rank fusion: ``sum_w w / (k + rank)`` with ranks from 1.

    >>> rrf([["a", "b"], ["b", "c"]], k=1)
    {'a': 0.5, 'b': 0.8333333333333333, 'c': 0.3333333333333333}
    """
    weights = weights or [1.0] * len(runs)
    fused: dict[str, float] = {}
    for run, weight in zip(runs, weights, strict=True):
        for rank, key in enumerate(run, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return fused


def weighted(runs: Sequence[dict[str, float]], weights: Sequence[float]) -> dict[str, float]:
    """Convex combination of min-max normalised scores; a missing key scores 0 in that run.

    >>> weighted([{"a": 2.0, "b": 1.0}, {"b": 0.9, "c": 0.5}], [0.5, 0.5])
    {'a': 0.5, 'b': 0.5, 'c': 0.0}
    >>> weighted([{"x": 7.0}, {"y": 0.9, "x": 0.5, "z": 0.1}], [0.5, 0.5])["x"]
    0.75
    """
    fused: dict[str, float] = {}
    for run, weight in zip(runs, weights, strict=True):
        if not run:
            continue
        lo, hi = min(run.values()), max(run.values())
        for key, score in run.items():
            # a run whose hits all score the same (e.g. a single hit) ranks them all first
            norm = (score - lo) / (hi - lo) if hi > lo else 1.0
            fused[key] = fused.get(key, 0.0) + weight * norm
    return fused


class HybridRetriever:
    name = "hybrid"

    def __init__(self, bm25: Retriever, dense: Retriever, method: Literal["rrf", "weighted"] = "rrf",
                 rrf_k: int = 60, weights: tuple[float, float] = (0.5, 0.5), candidates: int = 50) -> None:
        self.bm25, self.dense = bm25, dense
        self.method, self.rrf_k, self.weights, self.candidates = method, rrf_k, weights, candidates

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        n = max(k, self.candidates)
        lists = [self.bm25.search(query, n, filters), self.dense.search(query, n, filters)]
        chunks = {h.chunk_id: h.chunk for hits in lists for h in hits}
        if self.method == "rrf":
            fused = rrf([[h.chunk_id for h in hits] for hits in lists], self.rrf_k, [2 * w for w in self.weights])
        else:
            fused = weighted([{h.chunk_id: h.score for h in hits} for hits in lists], self.weights)
        best = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [Hit(chunks[cid], score, self.name) for cid, score in best]
