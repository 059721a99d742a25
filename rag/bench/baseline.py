"""The common pipeline, measured for comparison: for every query, build a ``rank_bm25`` index over the whole
docstore (the chunks' stored tokens: tokenising is not redone, which flatters it), score, and search an exact
FAISS index (``IndexFlatIP``, built once); hybrid = RRF of the two top-50 lists."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import faiss
import numpy as np
from rank_bm25 import BM25Okapi

from rag.index.fusion import rrf


class Baseline:
    def __init__(self, tokens: Sequence[list[str]], vectors: np.ndarray, tokenizer: Callable[[str], list[str]],
                 encode: Callable[[str], np.ndarray]) -> None:
        self.tokens = [list(t) for t in tokens]
        self.flat = faiss.IndexFlatIP(vectors.shape[1])
        self.flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.tokenizer = tokenizer
        self.encode = encode

    def bm25(self, query: str, k: int = 10) -> list[int]:
        model = BM25Okapi(self.tokens)  # rebuilt per query, as the pipeline does
        scores = model.get_scores(self.tokenizer(query))
        return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]

    def dense(self, query: str, k: int = 10) -> list[int]:
        _, ids = self.flat.search(self.encode(query)[None, :].astype(np.float32), k)
        return [int(i) for i in ids[0] if i >= 0]

    def hybrid(self, query: str, k: int = 10, candidates: int = 50) -> list[int]:
        fused = rrf([[str(i) for i in self.bm25(query, candidates)], [str(i) for i in self.dense(query, candidates)]])
        return [int(key) for key, _ in sorted(fused.items(), key=lambda kv: (-kv[1], int(kv[0])))[:k]]


def time_baseline(base: Baseline, queries: Sequence[str], limit_s: float = 60.0) -> dict:
    """Per-query seconds of each baseline retriever over a few queries; stops early past ``limit_s`` a query."""
    out: dict[str, list[float]] = {"bm25": [], "dense": [], "hybrid": []}
    for q in queries:
        for name in ("dense", "bm25", "hybrid"):
            began = time.perf_counter()
            getattr(base, name)(q)
            out[name].append((time.perf_counter() - began) * 1000)
        if out["hybrid"][-1] > limit_s * 1000:
            break
    return {name: {"median": round(float(np.median(v)), 2), "n": len(v)} for name, v in out.items()}
