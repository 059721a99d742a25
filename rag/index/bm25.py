"""Keyword retrieval: BM25 (bm25s) over the one jieba tokeniser."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import bm25s
import numpy as np

from rag.types import Chunk, Filters, Hit

from ._tokentable import TokenTable

log = logging.getLogger(__name__)


def build_bm25(tokens: Sequence[Sequence[str]]) -> bm25s.BM25:
    """A BM25 model over pre-tokenised documents (tokenisation is the caller's job).

    A :class:`~rag.index._tokentable.TokenTable` is indexed by :func:`build_bm25_from_ids` (vectorised, same scores).
    """
    if isinstance(tokens, TokenTable):
        return build_bm25_from_ids(tokens)
    model = bm25s.BM25()
    # bm25s cannot index an empty corpus: an empty index holds one placeholder document that is never returned
    model.index([list(t) for t in tokens] or [["\x00"]], show_progress=False)
    return model


def build_bm25_from_ids(table: TokenTable, k1: float = 1.5, b: float = 0.75, block: int = 1_024) -> bm25s.BM25:
    """The model ``bm25s.BM25().index(tokens)`` builds (Lucene BM25, bm25s's CSC layout; scores equal to float32
    rounding), computed with numpy over the flat token ids instead of a Python loop per document.

    Columns are the table's vocabulary ids (a frozen copy of the vocabulary is the model's ``vocab_dict``); a
    column's non-zero count is that token's document frequency, which :func:`doc_freqs` reads back.
    Memory: every upload runs this, so it writes straight into the final matrix (8 bytes per (document, token)
    pair) in two passes over ``block`` documents at a time: the first counts document frequencies, the second
    scores and places each block. Nothing else is held for the whole corpus.
    """
    n_docs = len(table)
    if n_docs == 0 or not table.offsets[-1]:
        return build_bm25([])
    n_vocab = len(table.vocab)
    lengths = table.lengths()
    df = np.zeros(n_vocab, np.int64)
    for _, toks, _ in _blocks(table, block):
        df += np.bincount(toks, minlength=n_vocab)
    idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    norm = (k1 * ((1 - b) + b * lengths / lengths.mean())).astype(np.float32)
    nnz = int(df.sum())
    indptr = np.zeros(n_vocab + 1, np.int64)
    np.cumsum(df, out=indptr[1:])
    data, indices = np.empty(nnz, np.float32), np.empty(nnz, np.int32)
    filled = indptr[:-1].copy()  # next free slot of each column
    for docs, toks, tf in _blocks(table, block):
        scores = idf[toks]
        scores *= tf  # idf * tf / (norm + tf), in the same float32 operations and order as bm25s
        tf += norm[docs]
        scores /= tf
        # rows are sorted by token then document: a row's slot is its column's next free slot plus its rank
        first = np.flatnonzero(np.diff(toks, prepend=-1))  # where each token's run starts
        run = np.diff(first, append=len(toks))
        slots = np.repeat(filled[toks[first]] - first, run)
        slots += np.arange(len(toks))
        data[slots], indices[slots] = scores, docs
        filled[toks[first]] += run
    model = bm25s.BM25(k1=k1, b=b)
    model.scores = {"data": data, "indices": indices,
                    "indptr": indptr if nnz > np.iinfo(np.int32).max else indptr.astype(np.int32),
                    "num_docs": n_docs}
    model.vocab_dict = dict(table.vocab.ids)
    model.vocab_dict.setdefault("", n_vocab)  # bm25s adds an empty token one past the vocabulary
    model.unique_token_ids_set = set(model.vocab_dict.values())
    model.nonoccurrence_array = None  # Lucene BM25 has no non-occurrence score
    return model


def _blocks(table: TokenTable, block: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(documents, tokens, term frequencies)`` of ``block`` documents at a time, sorted by token, then document.

    >>> [tuple(a.tolist()) for a in next(_blocks(TokenTable.from_lists([["b", "a", "b"], ["a"]]), 2))]  # b=0, a=1
    [(0, 0, 1), (0, 1, 1), (2.0, 1.0, 1.0)]
    """
    n_docs, lengths = len(table), table.lengths()
    kind = np.int32 if len(table.vocab) * block < 2**31 else np.int64  # int32 keys sort twice as fast
    for lo in range(0, n_docs, block):
        hi = min(n_docs, lo + block)
        keys = table.ids_between(int(table.offsets[lo]), int(table.offsets[hi])).astype(kind)
        keys *= hi - lo
        keys += np.repeat(np.arange(hi - lo, dtype=kind), lengths[lo:hi])  # token * docs-in-block + document
        keys, tf = np.unique(keys, return_counts=True)
        yield (keys % (hi - lo) + lo).astype(np.int32), keys // (hi - lo), tf.astype(np.float32)


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
