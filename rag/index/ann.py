"""Vector search structures: exact inner product over the index's own matrix, or an approximate FAISS index.

Below ``ann_threshold`` vectors, search is exact: one matrix-vector product over the snapshot's ``vectors``
(no second copy of the vectors, which is what ``faiss.IndexFlatIP`` would keep). Above it, an approximate index —
HNSW (default) or IVF-Flat — whose search-time knob (``efSearch`` / ``nprobe``) is the smallest one whose
recall@10 against exact search reaches the target on sample queries (:func:`tune`).

Approximate indexes store *labels* (row numbers at the time a vector was added), so a snapshot can add vectors to
a copy of its predecessor's index instead of rebuilding it, and can drop rows by tombstone: ``positions[label]``
is the row's current position, or -1 once deleted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import faiss
import numpy as np

from ._rowblocks import RowBlocks

log = logging.getLogger(__name__)

KINDS = ("hnsw", "ivf")


class ExactIP:
    """Exact inner-product top-k over a float32 matrix, with the ``faiss.Index.search`` signature.

    >>> ExactIP(np.eye(3, dtype=np.float32)).search(np.array([[0, 1, 0]], np.float32), 2)[1].tolist()
    [[1, 0]]
    """

    def __init__(self, vectors: np.ndarray | RowBlocks) -> None:
        self.vectors = vectors if isinstance(vectors, RowBlocks) else RowBlocks.of(vectors)
        self.ntotal = len(self.vectors)
        self.d = self.vectors.dim

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.ntotal)
        scores = self.vectors.scores(queries)
        if k < self.ntotal:
            part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        else:
            part = np.tile(np.arange(self.ntotal), (len(queries), 1))
        top = np.take_along_axis(scores, part, axis=1)
        order = np.lexsort((part, -top), axis=1)  # best first, ties by row
        ids = np.take_along_axis(part, order, axis=1)
        return np.take_along_axis(top, order, axis=1).astype(np.float32), ids.astype(np.int64)


@dataclass(frozen=True)
class AnnParams:
    kind: str = "ivf"
    target: float = 0.98  # recall@10 against exact search that tune() must reach
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 128
    nlist: int = 0  # IVF lists; 0 = 4·sqrt(n)
    nprobe: int = 32


def params_from_settings(settings) -> AnnParams:
    """The :class:`AnnParams` a :class:`~rag.config.Settings` asks for."""
    return AnnParams(kind=settings.ann_kind, target=settings.ann_target_recall, hnsw_m=settings.hnsw_m,
                     ef_search=settings.hnsw_ef_search, nlist=settings.ivf_nlist)


def build(vectors: np.ndarray, params: AnnParams) -> faiss.Index:
    """An approximate index over ``vectors`` (labels = row numbers)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    began = time.perf_counter()
    if params.kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = params.ef_construction
        index.hnsw.efSearch = params.ef_search
        if n:
            index.add(vectors)
    elif params.kind == "ivf":
        nlist = params.nlist or int(np.clip(np.sqrt(max(n, 1)), 16, 4096))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.nprobe = params.nprobe
        centroids = kmeans(vectors, nlist)
        quantizer.add(centroids)
        index.is_trained = True
        add_ivf(index, vectors)
    else:
        raise ValueError(f"unknown ANN kind {params.kind!r}; use one of {KINDS}")
    log.info("built %s over %d vectors in %.1fs", params.kind, n, time.perf_counter() - began)
    return index


def kmeans(vectors: np.ndarray, k: int, iterations: int = 10, sample: int = 64, seed: int = 0) -> np.ndarray:
    """Spherical k-means centroids with numpy's BLAS (FAISS's own k-means is ~15x slower on this machine's wheel)."""
    rng = np.random.default_rng(seed)
    n = len(vectors)
    train = vectors[rng.choice(n, min(n, sample * k), replace=False)] if n > sample * k else vectors
    k = min(k, len(train))
    centroids = train[rng.choice(len(train), k, replace=False)].copy()
    for _ in range(iterations):
        assign = assign_lists(train, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assign, train)
        empty = np.bincount(assign, minlength=k) == 0
        sums[empty] = train[rng.choice(len(train), int(empty.sum()))]  # re-seed empty lists
        centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    return np.ascontiguousarray(centroids, dtype=np.float32)


def assign_lists(vectors: np.ndarray, centroids: np.ndarray, block: int = 65_536) -> np.ndarray:
    """Nearest centroid (inner product) of every vector, in blocks."""
    out = np.empty(len(vectors), dtype=np.int64)
    for lo in range(0, len(vectors), block):
        out[lo : lo + block] = np.argmax(vectors[lo : lo + block] @ centroids.T, axis=1)
    return out


def add_ivf(index: faiss.IndexIVF, vectors: np.ndarray) -> None:
    """Add to an IVF index with the list assignment computed by numpy (labels continue from ``ntotal``)."""
    if not len(vectors):
        return
    from faiss.contrib.ivf_tools import add_preassigned

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    centroids = index.quantizer.reconstruct_n(0, index.nlist)
    ids = np.arange(index.ntotal, index.ntotal + len(vectors), dtype=np.int64)
    add_preassigned(index, vectors, assign_lists(vectors, centroids), ids)


def extended(index: faiss.Index, vectors: np.ndarray) -> faiss.Index:
    """A copy of ``index`` with ``vectors`` added (labels continue from ``index.ntotal``); ``index`` is untouched,
    so readers of the old snapshot keep searching it."""
    copy = faiss.clone_index(index)
    _copy_knobs(index, copy)
    if isinstance(copy, faiss.IndexIVF):
        add_ivf(copy, vectors)
    elif len(vectors):
        copy.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return copy


def _copy_knobs(src: faiss.Index, dst: faiss.Index) -> None:
    if isinstance(src, faiss.IndexHNSW):
        dst.hnsw.efSearch = src.hnsw.efSearch
    if isinstance(src, faiss.IndexIVF):
        dst.nprobe = src.nprobe


def get_knob(index: faiss.Index) -> int:
    if isinstance(index, faiss.IndexHNSW):
        return int(index.hnsw.efSearch)
    if isinstance(index, faiss.IndexIVF):
        return int(index.nprobe)
    return 0


def set_knob(index: faiss.Index, value: int) -> None:
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = int(value)
    elif isinstance(index, faiss.IndexIVF):
        index.nprobe = int(value)


def recall_at_k(found: np.ndarray, truth: np.ndarray, k: int = 10) -> float:
    """Mean share of the true top-k that a search found.

    >>> recall_at_k(np.array([[1, 2], [3, 9]]), np.array([[2, 1], [3, 4]]), 2)
    0.75
    """
    hits = [len(set(f[:k].tolist()) & set(t[:k].tolist())) / min(k, len(t)) for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits)) if hits else 1.0


def sample_queries(vectors: np.ndarray, n: int = 200, noise: float = 0.5, seed: int = 0) -> np.ndarray:
    """Query-like probes: stored vectors pushed off the data by Gaussian noise (a query is never a document)."""
    rng = np.random.default_rng(seed)
    rows = vectors[rng.choice(len(vectors), min(n, len(vectors)), replace=False)]
    probes = rows + rng.standard_normal(rows.shape).astype(np.float32) * (noise / np.sqrt(rows.shape[1]))
    return (probes / np.linalg.norm(probes, axis=1, keepdims=True)).astype(np.float32)


def tune(index: faiss.Index, vectors: np.ndarray, queries: np.ndarray | None = None, target: float = 0.98,
         k: int = 10, ladder: tuple[int, ...] = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)) -> dict:
    """Set the smallest search knob whose recall@k against exact search reaches ``target``; return the sweep.

    ``queries`` default to :func:`sample_queries` of the indexed vectors. The largest knob is kept when none
    reaches the target (the sweep says so).
    """
    queries = sample_queries(vectors) if queries is None else np.ascontiguousarray(queries, dtype=np.float32)
    _, truth = ExactIP(vectors).search(queries, k)
    sweep = []
    chosen = ladder[-1]
    for knob in ladder:
        if isinstance(index, faiss.IndexIVF) and knob > index.nlist:
            break
        set_knob(index, knob)
        began = time.perf_counter()
        _, found = index.search(queries, k)
        ms = (time.perf_counter() - began) * 1000 / len(queries)
        recall = recall_at_k(found, truth, k)
        sweep.append({"knob": knob, "recall": round(recall, 4), "ms_per_query": round(ms, 3)})
        if recall >= target:
            chosen = knob
            break
    else:
        chosen = sweep[-1]["knob"] if sweep else chosen
    set_knob(index, chosen)
    log.info("ANN knob %d (recall@%d %.3f, target %.2f)", chosen, k, sweep[-1]["recall"] if sweep else 1.0, target)
    return {"knob": chosen, "target": target, "k": k, "sweep": sweep}
