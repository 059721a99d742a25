"""Sentence vectors: every article sentence embedded once at ingest, so answers can rank sentences by meaning
(paraphrases, English questions) with a dot product instead of a model call per question."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .rowblocks import RowBlocks
from .sentences import sentence_spans
from .types import Article

MIN_SENTENCE = 4

SentenceKey = tuple[str, int, int]  # (article_id, start, end) into the article body


def article_sentences(article: Article) -> list[SentenceKey]:
    """Sentence spans of an article body worth embedding."""
    return [(article.id, a, b) for a, b in sentence_spans(article.body) if b - a >= MIN_SENTENCE]


def sentence_text(article: Article, start: int, end: int) -> str:
    """What is embedded for a sentence: the title gives it context ("那位代表" → which event)."""
    return f"{article.title}：{article.body[start:end]}"


@dataclass(frozen=True)
class SentenceTable:
    """Sentence keys and their vectors (:class:`~rag.rowblocks.RowBlocks`, in key order).

    Answers read a few hundred rows per question, never the whole table, so blocks loaded from disk stay
    memory-mapped (a 100k-chunk index has ~400k sentence vectors, ~600 MB) and adding sentences appends a block
    instead of copying the table.

    >>> t = SentenceTable.of([("a", 0, 5)], np.eye(2, dtype=np.float32)[:1]).added([("b", 0, 4)], [[0.0, 1.0]])
    >>> len(t), len(t.rows.blocks), t.similarities(np.array([0.5, 2.0], np.float32), [("b", 0), ("a", 0), ("c", 0)])
    (2, 2, [2.0, 0.5, None])
    """

    keys: tuple[SentenceKey, ...]
    rows: RowBlocks
    _row_of: dict[tuple[str, int], int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.rows) != len(self.keys):
            raise ValueError("sentence keys and vectors must line up")
        self._row_of.update({(aid, a): i for i, (aid, a, _b) in enumerate(self.keys)})

    @classmethod
    def of(cls, keys: Sequence[SentenceKey], vectors: np.ndarray) -> SentenceTable:
        return cls(tuple(keys), RowBlocks.of(vectors))

    @classmethod
    def empty(cls, dim: int) -> SentenceTable:
        return cls((), RowBlocks.empty(dim))

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def vectors(self) -> np.ndarray:
        """All vectors as one array (a copy when there are several blocks)."""
        return self.rows.rows_from(0)

    def added(self, keys: Sequence[SentenceKey], vectors: np.ndarray | Sequence) -> SentenceTable:
        return SentenceTable((*self.keys, *keys), self.rows.added(vectors))

    def without(self, article_ids: Iterable[str]) -> SentenceTable:
        drop = set(article_ids)
        keep = [i for i, k in enumerate(self.keys) if k[0] not in drop]
        return SentenceTable(tuple(self.keys[i] for i in keep), RowBlocks.of(self.rows.take(keep)))

    def similarities(self, query: np.ndarray, spans: Sequence[tuple[str, int]]) -> list[float | None]:
        """Cosine of the query with each (article_id, start) sentence; None where no vector is stored."""
        rows = [self._row_of.get(span) for span in spans]
        found = [r for r in rows if r is not None]
        sims = iter((self.rows.take(found) @ query).tolist()) if found else iter(())
        return [next(sims) if r is not None else None for r in rows]
