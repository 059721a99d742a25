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

from rag.errors import InputError
from rag.index import ann as ann_mod
from rag.types import Article, Chunk, Retriever

from ._rowblocks import RowBlocks
from ._tokentable import TokenTable
from .ann import AnnParams
from .bm25 import BM25Retriever, build_bm25, doc_freqs
from .dense import DenseRetriever, QueryCache, build_faiss, build_tuned
from .fusion import HybridRetriever
from .sentvec import SentenceTable

log = logging.getLogger(__name__)

FORMAT_VERSION = 4  # 4: rows in parts; 3: tokens as ids (tokens.npy, token_offsets.npy, vocab.json); 2 and 3 load
READABLE_VERSIONS = (2, 3, 4)


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
    """One snapshot. ``tokens`` is a compact :class:`~rag.index._tokentable.TokenTable` (reads like ``list[list[str]]``);
    ``vectors`` are :class:`~rag.index._rowblocks.RowBlocks` (a snapshot that adds rows shares its predecessor's blocks);
    ``ann`` is exact search over ``vectors`` below ``ann_threshold`` rows, else an approximate FAISS index."""

    def __init__(self, meta: IndexMeta, articles: dict[str, Article], chunks: list[Chunk], tokens: Sequence[list[str]],
                 vectors: np.ndarray | RowBlocks, bm25: bm25s.BM25 | None = None, ann: faiss.Index | None = None,
                 ann_threshold: int = 200_000, sentences: SentenceTable | None = None,
                 ann_params: AnnParams | None = None) -> None:
        if len(chunks) != len(tokens) or len(chunks) != len(vectors):
            raise ValueError("chunks, tokens and vectors must line up")
        self.meta = meta
        self.articles = articles
        self.chunks = chunks
        self.tokens = tokens if isinstance(tokens, TokenTable) else TokenTable.from_lists(tokens)
        self.vectors = (vectors if isinstance(vectors, RowBlocks)
                        else RowBlocks.of(np.asarray(vectors, np.float32).reshape(len(chunks), meta.dim)))
        self.ann_threshold = ann_threshold
        self.ann_params = ann_params or AnnParams()
        self.sentences = sentences if sentences is not None else SentenceTable.empty(meta.dim)
        self.bm25 = bm25 if bm25 is not None else build_bm25(self.tokens)
        self.ann_tuning: dict | None = None  # the recall sweep, when this snapshot built an approximate index
        if ann is None or isinstance(ann, faiss.IndexFlat):
            if len(self.vectors) < ann_threshold:
                ann = build_faiss(self.vectors, ann_threshold)
            else:
                ann, self.ann_tuning = build_tuned(self.vectors, self.ann_params)
        self.ann = ann
        self.saved_as: str | None = None  # the store version holding exactly this snapshot (set by load and save)
        #: (version, articles, chunks, sentences) when this snapshot is that saved version's rows plus more
        self.grown_from: tuple[str, int, int, int] | None = None

    def counts(self) -> tuple[int, int, int]:
        """Rows per table: articles, chunks, sentences."""
        return len(self.articles), len(self.chunks), len(self.sentences)

    @cached_property
    def _by_article(self) -> dict[str, list[Chunk]]:
        by: dict[str, list[Chunk]] = {}
        for chunk in self.chunks:
            by.setdefault(chunk.article_id, []).append(chunk)
        return by

    @classmethod
    def empty(cls, meta: IndexMeta, ann_threshold: int = 200_000, ann_params: AnnParams | None = None) -> Index:
        return cls(meta, {}, [], [], np.zeros((0, meta.dim), np.float32), ann_threshold=ann_threshold,
                   ann_params=ann_params)

    @cached_property
    def df(self) -> Counter[str]:
        """In how many chunks each token occurs (once per snapshot, on first use).

        Read off the BM25 score matrix (a column's non-zero count is the token's document frequency) instead of
        counting every chunk's tokens: ~0.1 s instead of minutes at a million chunks.
        """
        return Counter(doc_freqs(self.bm25)) if self.chunks else Counter()

    def idf(self, token: str) -> float:
        """BM25-style idf; 0 for a token the corpus does not contain."""
        n = self.df.get(token, 0)
        return math.log(1 + (len(self.chunks) - n + 0.5) / (n + 0.5)) if n else 0.0

    def __len__(self) -> int:
        return len(self.chunks)

    def chunks_of(self, article_id: str) -> list[Chunk]:
        return self._by_article.get(article_id, [])

    def _next_ann(self, vectors: RowBlocks, added: np.ndarray | None) -> faiss.Index | None:
        """The dense index of a snapshot with these ``vectors``: an approximate index grows by copy-and-add when
        only rows were ``added`` (no rebuild); anything else (or crossing the threshold) builds afresh."""
        if added is not None and len(vectors) >= self.ann_threshold and not isinstance(self.ann, ann_mod.ExactIP):
            return ann_mod.extended(self.ann, added)
        return None

    def with_articles(self, articles: Sequence[Article], chunks: Sequence[Chunk], tokens: Sequence[list[str]],
                      vectors: np.ndarray, sentences: SentenceTable | None = None) -> Index:
        """A new snapshot with these articles added (ids already present are the caller's to skip).

        Incremental where it pays: tokens are appended to the shared vocabulary, an approximate dense index is
        copied and extended; the BM25 matrix is rebuilt (every idf and length norm changes) with numpy.
        """
        merged = dict(self.articles)
        merged.update((a.id, a) for a in articles)
        table = self.sentences.added(sentences.keys, sentences.vectors) if sentences is not None else self.sentences
        added = np.asarray(vectors, np.float32).reshape(-1, self.meta.dim)
        all_vectors = self.vectors.added(added)  # shares this snapshot's blocks
        new = Index(self.meta, merged, [*self.chunks, *chunks], self.tokens.appended(tokens), all_vectors,
                    ann=self._next_ann(all_vectors, added), ann_threshold=self.ann_threshold, sentences=table,
                    ann_params=self.ann_params)
        if self.saved_as is not None and len(merged) == len(self.articles) + len(articles):
            new.grown_from = (self.saved_as, *self.counts())
        return new

    def without(self, article_ids: Iterable[str]) -> Index:
        """A new snapshot without these articles (from both the keyword and the dense index)."""
        drop = set(article_ids)
        keep = np.fromiter((i for i, c in enumerate(self.chunks) if c.article_id not in drop), dtype=np.int64)
        return Index(self.meta, {k: v for k, v in self.articles.items() if k not in drop},
                     [self.chunks[i] for i in keep.tolist()], self.tokens.taken(keep), self.vectors.take(keep),
                     ann_threshold=self.ann_threshold, sentences=self.sentences.without(drop),
                     ann_params=self.ann_params)

    def retag(self, meta: IndexMeta, tokenizer: Callable[[str], list[str]]) -> Index:
        """Re-tokenise every chunk (the tokeniser or its dictionary changed)."""
        tokens = [tokenizer(c.indexed_text) for c in self.chunks]
        return Index(replace(meta), self.articles, self.chunks, tokens, self.vectors, ann=self.ann,
                     ann_threshold=self.ann_threshold, sentences=self.sentences, ann_params=self.ann_params)

    def retriever(self, name: str, tokenizer: Callable[[str], list[str]], encode: QueryCache, *,
                  fusion: str = "rrf", rrf_k: int = 60, weights: tuple[float, float] = (0.5, 0.5),
                  candidates: int = 50, margin_gain: float = 0.0) -> Retriever:
        bm25 = BM25Retriever(self.chunks, self.bm25, tokenizer)
        if name == "bm25":
            return bm25
        dense = DenseRetriever(self.chunks, self.vectors, self.ann, encode)
        if name == "dense":
            return dense
        if name == "hybrid":
            return HybridRetriever(bm25, dense, fusion, rrf_k, weights, candidates,  # type: ignore[arg-type]
                                   margin_gain)
        raise InputError(f"unknown retriever {name!r}; use one of: hybrid, bm25, dense")
