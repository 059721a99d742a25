"""Chunk tokens stored compactly: int32 token ids (in blocks) plus offsets, over an append-only vocabulary.

A million chunks of ~150 jieba tokens as Python lists of strings cost ~10 GB; as ids they cost ~600 MB. The table
reads like the ``list[list[str]]`` it replaces (``len``, indexing, iteration give lists of strings) and gives
the BM25 builder what it wants directly (ids per document, vocabulary).

>>> t = TokenTable.from_lists([["工会", "职工"], ["职工"]])
>>> len(t), t[1], t.ids.tolist(), t.offsets.tolist()
(2, ['职工'], [0, 1, 1], [0, 2, 3])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from ._rowblocks import capped, pieces_between
from ._stored import StoredArray


class Vocabulary:
    """token -> id, append-only, shared by successive snapshots (old snapshots only hold ids they knew)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        ids, words = self.ids, self.words
        out = []
        for token in tokens:
            i = ids.get(token)
            if i is None:
                i = ids[token] = len(words)
                words.append(token)
            out.append(i)
        return out


class TokenTable(Sequence[list[str]]):
    """Rows of token ids: ``offsets`` (int64, one more than rows) into ids held as ``blocks`` (int32).

    A table that adds rows appends a block and shares the old ones (an index loaded from disk has one
    :class:`~rag.index._stored.StoredArray` block per stored part, left in its file), so adding a page to a big index
    copies no ids. Past :data:`rag.index._rowblocks.MAX_BLOCKS`, every block after the first is merged.
    """

    def __init__(self, vocab: Vocabulary, ids: np.ndarray | Sequence[np.ndarray | StoredArray],
                 offsets: np.ndarray) -> None:
        self.vocab = vocab
        self.blocks = tuple(b for b in ((ids,) if isinstance(ids, np.ndarray) else ids) if len(b))
        self.offsets = offsets
        self._starts = np.cumsum([0, *(len(b) for b in self.blocks)], dtype=np.int64)
        if self._starts[-1] != offsets[-1]:
            raise ValueError(f"token offsets end at {offsets[-1]}, the id blocks hold {self._starts[-1]}")

    @classmethod
    def from_lists(cls, tokens: Iterable[Sequence[str]], vocab: Vocabulary | None = None) -> TokenTable:
        vocab = Vocabulary() if vocab is None else vocab
        if isinstance(tokens, TokenTable) and tokens.vocab is vocab:
            return tokens
        flat: list[int] = []
        offsets = [0]
        for row in tokens:
            flat.extend(vocab.encode(row))
            offsets.append(len(flat))
        return cls(vocab, np.asarray(flat, dtype=np.int32), np.asarray(offsets, dtype=np.int64))

    @classmethod
    def empty(cls, vocab: Vocabulary | None = None) -> TokenTable:
        return cls(Vocabulary() if vocab is None else vocab, np.zeros(0, np.int32), np.zeros(1, np.int64))

    @property
    def ids(self) -> np.ndarray:
        """Every id in one array (a copy when there are several blocks)."""
        return self.ids_between(0, int(self._starts[-1]))

    def ids_between(self, a: int, z: int) -> np.ndarray:
        """Ids ``a`` to ``z`` (positions in the flat id sequence; no copy when they lie in one block).

        >>> TokenTable(Vocabulary(), (np.array([5, 6], np.int32), np.array([7], np.int32)), np.array([0, 1, 3])
        ...            ).ids_between(1, 3).tolist()
        [6, 7]
        """
        pieces = pieces_between(self.blocks, self._starts, a, z)
        if len(pieces) == 1:
            return pieces[0]
        return np.concatenate(pieces) if pieces else np.zeros(0, np.int32)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def row_ids(self, i: int) -> np.ndarray:
        return self.ids_between(int(self.offsets[i]), int(self.offsets[i + 1]))

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        words = self.vocab.words
        return [words[t] for t in self.row_ids(i).tolist()]

    def __iter__(self) -> Iterator[list[str]]:
        words = self.vocab.words
        flat = self.ids.tolist()
        bounds = self.offsets.tolist()
        for a, b in zip(bounds, bounds[1:], strict=False):
            yield [words[t] for t in flat[a:b]]

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of token lists with the same rows (another table, or a ``list[list[str]]``)."""
        if isinstance(other, TokenTable):
            if other.vocab is self.vocab:
                return np.array_equal(self.offsets, other.offsets) and np.array_equal(self.ids, other.ids)
            return np.array_equal(self.offsets, other.offsets) and list(self) == list(other)
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self) and all(list(a) == b for a, b in zip(other, self, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def appended(self, tokens: Iterable[Sequence[str]]) -> TokenTable:
        """A new table with these rows after ours (same vocabulary)."""
        more = TokenTable.from_lists(tokens, self.vocab)
        return TokenTable(self.vocab, capped(self.blocks + more.blocks),  # ours shared, not copied
                          np.concatenate([self.offsets, more.offsets[1:] + self.offsets[-1]]))

    def taken(self, rows: np.ndarray) -> TokenTable:
        """A new table with only these rows, in this order."""
        rows = np.asarray(rows, dtype=np.int64)
        lengths = self.lengths()[rows]
        offsets = np.zeros(len(rows) + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        if len(rows) == len(self) and np.array_equal(rows, np.arange(len(self))):
            return self
        starts = self.offsets[rows]
        # gather every kept row's ids in one vectorised pass
        index = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        return TokenTable(self.vocab, self.ids[index], offsets)  # (a fresh single block)
