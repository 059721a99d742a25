"""Sentence keys ``(article_id, start, end)`` held as three int32 columns and one tuple of article ids.

A 100k-chunk index has ~380k sentence keys. As Python tuples with a ``(article_id, start) -> row`` dict they
took ~95 MB of heap; as columns they take ~5 MB, plus 16 bytes a key for the lookup, built on first use.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import overload

import numpy as np

from rag.types import SentenceKey


def _int32(values: Iterable[int] | np.ndarray) -> np.ndarray:
    return np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=np.int32).reshape(-1)


@dataclass(frozen=True, eq=False)
class SentenceKeys(Sequence[SentenceKey]):
    """Keys in row order: ``article[i]`` indexes ``ids``; ``start[i]:end[i]`` is the span in that article's body.

    >>> keys = SentenceKeys.of([("a", 0, 5), ("a", 6, 9)]).added(SentenceKeys.of([("b", 0, 4)]))
    >>> list(keys), keys.rows_of([("b", 0), ("a", 6), ("a", 1), ("c", 0)])
    ([('a', 0, 5), ('a', 6, 9), ('b', 0, 4)], [2, 1, None, None])
    >>> list(keys.taken(keys.kept({"a"}))), keys[1]
    ([('b', 0, 4)], ('a', 6, 9))
    """

    ids: tuple[str, ...]
    article: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __post_init__(self) -> None:
        for name in ("article", "start", "end"):
            object.__setattr__(self, name, _int32(getattr(self, name)))
        if not len(self.article) == len(self.start) == len(self.end):
            raise ValueError("sentence key columns must have the same length")

    @cached_property
    def _ordinal(self) -> dict[str, int]:
        return {aid: i for i, aid in enumerate(self.ids)}

    @cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        """Row order by (article, start) and the packed keys in that order; built on first lookup."""
        packed = (self.article.astype(np.int64) << 32) | self.start.astype(np.int64)
        order = np.argsort(packed, kind="stable")
        return order, packed[order]

    @classmethod
    def of(cls, keys: Iterable[SentenceKey]) -> SentenceKeys:
        """Columns for ``keys``; article ids are kept as given (the same string objects)."""
        ordinal: dict[str, int] = {}
        article, start, end = [], [], []
        for aid, a, b in keys:
            article.append(ordinal.setdefault(aid, len(ordinal)))
            start.append(a)
            end.append(b)
        return cls(tuple(ordinal), _int32(article), _int32(start), _int32(end))

    def __len__(self) -> int:
        return len(self.article)

    @overload
    def __getitem__(self, i: int) -> SentenceKey: ...
    @overload
    def __getitem__(self, i: slice) -> SentenceKeys: ...
    def __getitem__(self, i: int | slice) -> SentenceKey | SentenceKeys:
        if isinstance(i, slice):
            return SentenceKeys(self.ids, self.article[i], self.start[i], self.end[i])
        return self.ids[int(self.article[i])], int(self.start[i]), int(self.end[i])

    def __iter__(self) -> Iterator[SentenceKey]:
        ids = self.ids
        for o, a, b in zip(self.article.tolist(), self.start.tolist(), self.end.tolist(), strict=True):
            yield ids[o], a, b

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(self) != len(other):
            return False
        return all(x == tuple(y) for x, y in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  (mutable-looking sequence semantics, like list)

    def added(self, other: SentenceKeys) -> SentenceKeys:
        """These keys, then ``other``'s."""
        ordinal = dict(self._ordinal)  # insertion order: these ids, then other's new ones
        remap = np.array([ordinal.setdefault(aid, len(ordinal)) for aid in other.ids], dtype=np.int32)
        article = np.concatenate([self.article, remap[other.article] if len(other) else other.article])
        return SentenceKeys(tuple(ordinal), article, np.concatenate([self.start, other.start]),
                            np.concatenate([self.end, other.end]))

    def kept(self, article_ids: Collection[str]) -> np.ndarray:
        """Rows whose article is not in ``article_ids``."""
        dropped = [self._ordinal[aid] for aid in article_ids if aid in self._ordinal]
        return np.flatnonzero(~np.isin(self.article, dropped))

    def taken(self, rows: np.ndarray) -> SentenceKeys:
        return SentenceKeys(self.ids, self.article[rows], self.start[rows], self.end[rows])

    def rows_of(self, spans: Sequence[tuple[str, int]]) -> list[int | None]:
        """The row of each ``(article_id, start)``, or None where there is no such key."""
        if not len(self):
            return [None] * len(spans)
        order, sorted_keys = self._sorted
        wanted = np.array([(self._ordinal.get(aid, -1) << 32) | (a & 0xFFFFFFFF) for aid, a in spans], np.int64)
        at = np.minimum(np.searchsorted(sorted_keys, wanted), len(sorted_keys) - 1)
        found = sorted_keys[at] == wanted
        return [int(order[i]) if ok else None for i, ok in zip(at.tolist(), found.tolist(), strict=True)]
