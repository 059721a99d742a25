"""The in-memory index: an immutable snapshot of articles, chunks, tokens and vectors with their search structures.

Writers build a new snapshot (``with_articles`` / ``without``) while readers keep searching the old one; swapping
the reference is atomic.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import bm25s
import faiss
import numpy as np

from .bm25 import BM25Retriever, build_bm25
from .dense import DenseRetriever, QueryCache, build_faiss
from .errors import InputError
from .fusion import HybridRetriever
from .sentvec import SentenceTable
from .types import Article, Chunk, Retriever

log = logging.getLogger(__name__)

FORMAT_VERSION = 2


@dataclass(frozen=True)
class IndexMeta:
    """What an index was built with; stored in its manifest."""

    model: str
    dim: int
    chunk_size: int
    chunk_overlap: int
    tokenizer: str
    format_version: int = FORMAT_VERSION


class Index:
    def __init__(self, meta: IndexMeta, articles: dict[str, Article], chunks: list[Chunk], tokens: list[list[str]],
                 vectors: np.ndarray, bm25: bm25s.BM25 | None = None, ann: faiss.Index | None = None,
                 ann_threshold: int = 200_000, sentences: SentenceTable | None = None) -> None:
        if len(chunks) != len(tokens) or len(chunks) != len(vectors):
            raise ValueError("chunks, tokens and vectors must line up")
        self.meta = meta
        self.articles = articles
        self.chunks = chunks
        self.tokens = tokens
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(chunks), meta.dim)
        self.ann_threshold = ann_threshold
        self.sentences = sentences if sentences is not None else SentenceTable.empty(meta.dim)
        self.bm25 = bm25 if bm25 is not None else build_bm25(tokens)
        self.ann = ann if ann is not None else build_faiss(self.vectors, ann_threshold)
        self._by_article: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            self._by_article.setdefault(chunk.article_id, []).append(chunk)

    @classmethod
    def empty(cls, meta: IndexMeta, ann_threshold: int = 200_000) -> Index:
        return cls(meta, {}, [], [], np.zeros((0, meta.dim), np.float32), ann_threshold=ann_threshold)

    @cached_property
    def df(self) -> Counter[str]:
        """In how many chunks each token occurs (computed once per snapshot, on first use)."""
        counts: Counter[str] = Counter()
        for tokens in self.tokens:
            counts.update(set(tokens))
        return counts

    def idf(self, token: str) -> float:
        """BM25-style idf; 0 for a token the corpus does not contain."""
        n = self.df.get(token, 0)
        return math.log(1 + (len(self.chunks) - n + 0.5) / (n + 0.5)) if n else 0.0

    def __len__(self) -> int:
        return len(self.chunks)

    def chunks_of(self, article_id: str) -> list[Chunk]:
        return self._by_article.get(article_id, [])

    def with_articles(self, articles: Sequence[Article], chunks: Sequence[Chunk], tokens: Sequence[list[str]],
                      vectors: np.ndarray, sentences: SentenceTable | None = None) -> Index:
        """A new snapshot with these articles added (ids already present are the caller's to skip)."""
        merged = dict(self.articles)
        merged.update((a.id, a) for a in articles)
        table = self.sentences.added(sentences.keys, sentences.vectors) if sentences is not None else self.sentences
        return Index(self.meta, merged, [*self.chunks, *chunks], [*self.tokens, *tokens],
                     np.vstack([self.vectors, np.asarray(vectors, np.float32).reshape(-1, self.meta.dim)]),
                     ann_threshold=self.ann_threshold, sentences=table)

    def without(self, article_ids: Iterable[str]) -> Index:
        """A new snapshot without these articles (from both the keyword and the dense index)."""
        drop = set(article_ids)
        keep = [i for i, c in enumerate(self.chunks) if c.article_id not in drop]
        return Index(self.meta, {k: v for k, v in self.articles.items() if k not in drop},
                     [self.chunks[i] for i in keep], [self.tokens[i] for i in keep], self.vectors[keep],
                     ann_threshold=self.ann_threshold, sentences=self.sentences.without(drop))

    def retag(self, meta: IndexMeta, tokenizer: Callable[[str], list[str]]) -> Index:
        """Re-tokenise every chunk (the tokeniser or its dictionary changed)."""
        tokens = [tokenizer(c.indexed_text) for c in self.chunks]
        return Index(replace(meta), self.articles, self.chunks, tokens, self.vectors, ann_threshold=self.ann_threshold,
                     sentences=self.sentences)

    def retriever(self, name: str, tokenizer: Callable[[str], list[str]], encode: QueryCache, *,
                  fusion: str = "rrf", rrf_k: int = 60, weights: tuple[float, float] = (0.5, 0.5),
                  candidates: int = 50) -> Retriever:
        bm25 = BM25Retriever(self.chunks, self.bm25, tokenizer)
        if name == "bm25":
            return bm25
        dense = DenseRetriever(self.chunks, self.vectors, self.ann, encode)
        if name == "dense":
            return dense
        if name == "hybrid":
            return HybridRetriever(bm25, dense, fusion, rrf_k, weights, candidates)  # type: ignore[arg-type]
        raise InputError(f"unknown retriever {name!r}; use one of: hybrid, bm25, dense")
