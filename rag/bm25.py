"""Keyword retrieval: BM25 (bm25s) over the one jieba tokeniser."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
import numpy as np

from .types import Chunk, Filters, Hit

log = logging.getLogger(__name__)


def build_bm25(tokens: Sequence[Sequence[str]]) -> bm25s.BM25:
    """A BM25 model over pre-tokenised documents (tokenisation is the caller's job)."""
    model = bm25s.BM25()
    # bm25s cannot index an empty corpus: an empty index holds one placeholder document that is never returned
    model.index([list(t) for t in tokens] or [["\x00"]], show_progress=False)
    return model


def save_bm25(model: bm25s.BM25, directory: Path) -> None:
    model.save(str(directory), show_progress=False)


def load_bm25(directory: Path) -> bm25s.BM25:
    return bm25s.BM25.load(str(directory), mmap=False, show_progress=False, verbosity=0)


def top_k(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
    """Indices and scores of the ``k`` best positive scores, best first (ties by index).

    >>> top_k(np.array([0.0, 2.0, 1.0, 3.0]), 2)
    [(3, 3.0), (1, 2.0)]
    """
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    candidates = np.flatnonzero(scores > 0)
    if candidates.size > k:
        part = np.argpartition(-scores[candidates], k - 1)[:k]
        candidates = candidates[part]
    order = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))
    return [(i, float(scores[i])) for i in order[:k]]


def filter_mask(chunks: Sequence[Chunk], filters: Filters | None) -> np.ndarray | None:
    if not filters:
        return None
    return np.fromiter((filters.accepts(c) for c in chunks), dtype=bool, count=len(chunks))


class BM25Retriever:
    name = "bm25"

    def __init__(self, chunks: Sequence[Chunk], model: bm25s.BM25, tokenizer: Callable[[str], list[str]],
                 alive: np.ndarray | None = None) -> None:
        self.chunks = chunks
        self.model = model
        self.tokenizer = tokenizer
        self.alive = alive

    def scores(self, query: str) -> np.ndarray:
        tokens = [t for t in self.tokenizer(query) if t in self.model.vocab_dict]
        if not tokens or not self.chunks:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return self.model.get_scores(tokens)[: len(self.chunks)]

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        mask = filter_mask(self.chunks, filters)
        if self.alive is not None:
            mask = self.alive if mask is None else mask & self.alive
        return [Hit(self.chunks[i], s, self.name) for i, s in top_k(self.scores(query), k, mask)]
