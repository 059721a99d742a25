"""Keyword retrieval: BM25 (bm25s) over the one jieba tokeniser."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
import numpy as np
import scipy.sparse

from .tokentable import TokenTable
from .types import Chunk, Filters, Hit

log = logging.getLogger(__name__)


def build_bm25(tokens: Sequence[Sequence[str]]) -> bm25s.BM25:
    """A BM25 model over pre-tokenised documents (tokenisation is the caller's job).

    A :class:`~rag.tokentable.TokenTable` is indexed by :func:`build_bm25_from_ids` (vectorised, same scores).
    """
    if isinstance(tokens, TokenTable):
        return build_bm25_from_ids(tokens)
    model = bm25s.BM25()
    # bm25s cannot index an empty corpus: an empty index holds one placeholder document that is never returned
    model.index([list(t) for t in tokens] or [["\x00"]], show_progress=False)
    return model


def build_bm25_from_ids(table: TokenTable, k1: float = 1.5, b: float = 0.75, block: int = 8_192) -> bm25s.BM25:
    """The model ``bm25s.BM25().index(tokens)`` builds (Lucene BM25: same scores, same CSC layout), computed with
    a few numpy passes over the flat token ids instead of a Python loop per document.

    Columns are the table's vocabulary ids (a frozen copy of the vocabulary is the model's ``vocab_dict``); a
    column's non-zero count is that token's document frequency, which :func:`doc_freqs` reads back.
    Memory: ``block`` documents at a time while counting, then about 20 bytes per (document, token) pair while
    scoring and transposing; every upload runs this, so temporaries are freed as soon as they are used.
    """
    n_docs = len(table)
    if n_docs == 0 or not len(table.ids):
        return build_bm25([])
    n_vocab = len(table.vocab)
    lengths = table.lengths()
    # term frequencies per (doc, token), block by block to bound memory: a CSR matrix, rows = documents
    toks_parts, tf_parts, row_nnz = [], [], []
    for lo in range(0, n_docs, block):
        hi = min(n_docs, lo + block)
        a, z = table.offsets[lo], table.offsets[hi]
        keys = np.repeat(np.arange(lo, hi, dtype=np.int64), lengths[lo:hi])
        keys *= n_vocab
        keys += table.ids[a:z]
        keys, counts = np.unique(keys, return_counts=True)
        toks_parts.append((keys % n_vocab).astype(np.int32))
        tf_parts.append(counts.astype(np.float32))
        row_nnz.append(np.bincount(keys // n_vocab - lo, minlength=hi - lo))
    del keys, counts
    tok_of = np.concatenate(toks_parts)
    del toks_parts
    df = np.bincount(tok_of, minlength=n_vocab)
    idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    norm = (k1 * ((1 - b) + b * lengths / lengths.mean())).astype(np.float32)
    per_row = np.concatenate(row_nnz)
    scores = idf[tok_of]
    tf = np.concatenate(tf_parts)
    del tf_parts
    scores *= tf  # idf * tf / (norm + tf), in place (the same float32 operations, in the same order)
    tf += np.repeat(norm, per_row)
    scores /= tf
    del tf
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(per_row, out=indptr[1:])
    # CSR -> CSC (bm25s's layout: column-major, rows ascending within a column) by scipy's counting sort
    csc = scipy.sparse.csr_matrix((scores, tok_of, indptr), shape=(n_docs, n_vocab)).tocsc()
    del scores, tok_of
    model = bm25s.BM25(k1=k1, b=b)
    model.scores = {"data": csc.data, "indices": csc.indices.astype(np.int32, copy=False),
                    "indptr": csc.indptr if csc.indptr[-1] > np.iinfo(np.int32).max else csc.indptr.astype(np.int32),
                    "num_docs": n_docs}
    model.vocab_dict = dict(table.vocab.ids)
    model.vocab_dict.setdefault("", n_vocab)  # bm25s adds an empty token one past the vocabulary
    model.unique_token_ids_set = set(model.vocab_dict.values())
    model.nonoccurrence_array = None  # Lucene BM25 has no non-occurrence score
    return model


def doc_freqs(model: bm25s.BM25) -> dict[str, int]:
    """In how many documents each token occurs, read off the score matrix (BM25 scores of present tokens are > 0).

    >>> doc_freqs(build_bm25([["工会", "职工"], ["职工", "职工"]]))
    {'工会': 1, '职工': 2}
    """
    counts = np.diff(model.scores["indptr"]).tolist()
    return {t: counts[i] for t, i in model.vocab_dict.items() if i < len(counts) and counts[i]}


def save_bm25(model: bm25s.BM25, directory: Path) -> None:
    model.save(str(directory), show_progress=False)


def load_bm25(directory: Path) -> bm25s.BM25:
    """Memory-mapped: a query reads only its tokens' columns of the score matrix."""
    return bm25s.BM25.load(str(directory), mmap=True, show_progress=False, verbosity=0)


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
