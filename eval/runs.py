"""Retrieval runs: every query through each retriever, kept as chunk hits and as article-level ranx runs.

Relevance is judged per article, so a chunk run becomes an article run by keeping each article's best chunk
score, in the order the retriever ranked them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from rag import Library
from rag.answer.rewrite import rewrite
from rag.types import Hit, Retriever

from .dataset import Query

Run = dict[str, dict[str, float]]  # qid -> article id -> score (ranx's shape)
ChunkRun = dict[str, list[Hit]]  # qid -> hits, best first

RETRIEVERS = ("bm25", "dense", "hybrid-rrf", "hybrid-weighted")
DEPTH = 100  # chunks retrieved per query: enough for recall@20 at article level on small corpora
_TIE = 1e-9  # keeps a retriever's order between articles whose best chunks score the same


@dataclass(frozen=True)
class RetrieverSpec:
    """How to build one named retriever from an index: ``kind`` plus fusion parameters for hybrids."""

    name: str
    kind: str  # bm25 | dense | hybrid
    fusion: str = "rrf"
    rrf_k: int = 60
    weights: tuple[float, float] = (0.5, 0.5)
    candidates: int = 50


def spec(name: str, rrf_k: int = 60, weights: tuple[float, float] = (0.5, 0.5), candidates: int = 50) -> RetrieverSpec:
    """``"hybrid-rrf"`` → a hybrid with RRF fusion, ``"bm25"`` → BM25, and so on.

    >>> spec("hybrid-weighted").fusion
    'weighted'
    """
    if name in ("bm25", "dense"):
        return RetrieverSpec(name, name)
    if name in ("hybrid", "hybrid-rrf"):
        return RetrieverSpec(name, "hybrid", "rrf", rrf_k, weights, candidates)
    if name == "hybrid-weighted":
        return RetrieverSpec(name, "hybrid", "weighted", rrf_k, weights, candidates)
    raise ValueError(f"unknown retriever {name!r}; use any of: {', '.join(RETRIEVERS)}")


def build(lib: Library, s: RetrieverSpec, encode: Callable[[str], np.ndarray]) -> Retriever:
    return lib.index.retriever(s.kind, lib.tokenizer, encode, fusion=s.fusion, rrf_k=s.rrf_k, weights=s.weights,
                               candidates=s.candidates)


def search_text(query: Query) -> str:
    """What the product searches for this query: a follow-up is first rewritten with its history."""
    text = query.text.strip()
    return rewrite(text, list(query.history)).strip() if query.history else text


def chunk_run(retriever: Retriever, queries: Sequence[Query], depth: int = DEPTH, progress: bool = True,
              label: str = "") -> ChunkRun:
    out: ChunkRun = {}
    for q in tqdm(queries, desc=f"retrieving ({label or retriever.name})", unit="query", disable=not progress):
        out[q.id] = retriever.search(search_text(q), depth)
    return out


def article_ranking(hits: Sequence[Hit]) -> dict[str, float]:
    """Articles in retrieval order, each scored by its best chunk (ties nudged to keep the order).

    >>> from rag.types import Chunk
    >>> c = lambda a, n: Chunk(f"{a}:{n}", a, n, "", 0, 0, "", "", "")
    >>> article_ranking([Hit(c("x", 0), 0.9), Hit(c("y", 0), 0.5), Hit(c("x", 1), 0.4), Hit(c("z", 0), 0.5)])
    {'x': 0.9, 'y': 0.499999999, 'z': 0.499999998}
    """
    out: dict[str, float] = {}
    for hit in hits:
        if hit.article_id not in out:
            out[hit.article_id] = float(hit.score) - _TIE * len(out)
    return out


def article_run(chunks: ChunkRun, qids: Sequence[str] | None = None) -> Run:
    """The article-level run of ``qids`` (default: every query of ``chunks``)."""
    return {qid: article_ranking(chunks.get(qid, [])) for qid in (chunks if qids is None else qids)}
