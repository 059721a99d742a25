"""Dense retrieval: an :class:`~embeddings.base.Embedder` plus a FAISS inner-product index."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from threading import Lock

import faiss
import numpy as np

from embeddings.base import Embedder
from rag.index import ann
from rag.types import Chunk, Filters, Hit

from ._rowblocks import RowBlocks
from .ann import AnnParams, ExactIP
from .bm25 import filter_mask

log = logging.getLogger(__name__)


def build_faiss(vectors: np.ndarray | RowBlocks, ann_threshold: int, hnsw_m: int = 32, ef_search: int = 128,
                ann_params: AnnParams | None = None) -> faiss.Index | ExactIP:
    """Exact inner product below ``ann_threshold`` vectors (over ``vectors`` itself, no copy); above it an
    approximate index (``ann_params.kind``: IVF-Flat or HNSW) tuned to recall@10 >= ``ann_params.target``."""
    if len(vectors) < ann_threshold:
        return ExactIP(vectors)
    return build_tuned(vectors, ann_params or AnnParams(kind="hnsw", hnsw_m=hnsw_m, ef_search=ef_search))[0]


def build_tuned(vectors: np.ndarray | RowBlocks, params: AnnParams) -> tuple[faiss.Index, dict]:
    """An approximate index with its search knob set by :func:`rag.index.ann.tune`, and the tuning sweep (row blocks are
    joined into one matrix: FAISS copies the vectors into its own index anyway)."""
    vectors = np.asarray(vectors)
    index = ann.build(vectors, params)
    return index, ann.tune(index, vectors, target=params.target)


class QueryCache:
    """A small LRU of query vectors, so repeated questions skip the model."""

    def __init__(self, embedder: Embedder, size: int = 1024) -> None:
        self.embedder = embedder
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = Lock()

    def __call__(self, query: str) -> np.ndarray:
        with self._lock:
            if query in self._items:
                self._items.move_to_end(query)
                return self._items[query]
        vector = self.embedder.embed_query(query)
        with self._lock:
            self._items[query] = vector
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return vector


class DenseRetriever:
    name = "dense"

    def __init__(self, chunks: Sequence[Chunk], vectors: RowBlocks, index: faiss.Index, encode: QueryCache,
                 alive: np.ndarray | None = None) -> None:
        self.chunks = chunks
        self.vectors = vectors
        self.index = index
        self.encode = encode
        self.alive = alive

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        if not self.chunks:
            return []
        q = self.encode(query)
        mask = filter_mask(self.chunks, filters)
        if self.alive is not None:
            mask = self.alive if mask is None else mask & self.alive
        if mask is not None:
            rows = np.flatnonzero(mask)
            scores = self.vectors.take(rows) @ q
            order = np.argsort(-scores, kind="stable")[:k]
            return [Hit(self.chunks[rows[i]], float(scores[i]), self.name) for i in order]
        scores, ids = self.index.search(q[None, :].astype(np.float32), min(k, len(self.chunks)))
        return [Hit(self.chunks[i], float(s), self.name) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]
