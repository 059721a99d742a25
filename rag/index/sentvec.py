"""Sentence vectors: every article sentence embedded once at ingest, so answers can rank sentences by meaning
(paraphrases, English questions) with a dot product instead of a model call per question."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ._rowblocks import RowBlocks
from .sentkeys import SentenceKey, SentenceKeys

#: Sentence vectors are stored in half precision: half the disk and page cache (~300 MB less at 100k chunks). A
#: cosine moves by at most 2**-11 (each component's rounding); between real seed vectors, by 4e-5 at most and 1e-5
#: on average. :meth:`SentenceTable.similarities` computes in float32.
STORED = np.float16


@dataclass(frozen=True)
class SentenceTable:
    """Sentence keys and their vectors (:class:`~rag.index._rowblocks.RowBlocks`, in key order).

    Answers read a few hundred rows per question, never the whole table, so blocks loaded from disk stay in their
    files (:class:`~rag.index._stored.StoredArray`: a 100k-chunk index has ~400k sentence vectors, ~300 MB in float16),
    and adding sentences appends a block instead of copying the table.

    >>> t = SentenceTable.of([("a", 0, 5)], np.eye(2, dtype=np.float32)[:1]).added([("b", 0, 4)], [[0.0, 1.0]])
    >>> len(t), len(t.rows.blocks), t.similarities(np.array([0.5, 2.0], np.float32), [("b", 0), ("a", 0), ("c", 0)])
    (2, 2, [2.0, 0.5, None])
    >>> t.vectors.dtype, SentenceTable.of([("a", 0, 5)], [[1 / 3, 0.0]]).vectors.tolist()
    (dtype('float16'), [[0.333251953125, 0.0]])
    """

    keys: SentenceKeys
    rows: RowBlocks

    def __post_init__(self) -> None:
        if len(self.rows) != len(self.keys):
            raise ValueError("sentence keys and vectors must line up")

    @classmethod
    def of(cls, keys: Sequence[SentenceKey], vectors: np.ndarray) -> SentenceTable:
        return cls(_keys(keys), RowBlocks.of(vectors, STORED))

    @classmethod
    def empty(cls, dim: int) -> SentenceTable:
        return cls(SentenceKeys.of(()), RowBlocks.empty(dim, STORED))

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def vectors(self) -> np.ndarray:
        """All vectors as one array (a copy when there are several blocks)."""
        return self.rows.rows_from(0)

    def added(self, keys: Sequence[SentenceKey], vectors: np.ndarray | Sequence) -> SentenceTable:
        return SentenceTable(self.keys.added(_keys(keys)), self.rows.added(vectors))

    def without(self, article_ids: Iterable[str]) -> SentenceTable:
        keep = self.keys.kept(set(article_ids))
        return SentenceTable(self.keys.taken(keep), self.rows.taken(keep))

    def similarities(self, query: np.ndarray, spans: Sequence[tuple[str, int]]) -> list[float | None]:
        """Cosine of the query with each (article_id, start) sentence; None where no vector is stored."""
        rows = self.keys.rows_of(spans)
        found = [r for r in rows if r is not None]
        sims = iter((self.rows.take(found).astype(np.float32) @ query).tolist()) if found else iter(())
        return [next(sims) if r is not None else None for r in rows]


def _keys(keys: Sequence[SentenceKey]) -> SentenceKeys:
    return keys if isinstance(keys, SentenceKeys) else SentenceKeys.of(keys)
