"""Sentence vectors: every article sentence embedded once at ingest, so answers can rank sentences by meaning
(paraphrases, English questions) with a dot product instead of a model call per question."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

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
    keys: tuple[SentenceKey, ...]
    vectors: np.ndarray
    _rows: dict[tuple[str, int], int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._rows.update({(aid, a): i for i, (aid, a, _b) in enumerate(self.keys)})

    @classmethod
    def empty(cls, dim: int) -> SentenceTable:
        return cls((), np.zeros((0, dim), np.float32))

    def __len__(self) -> int:
        return len(self.keys)

    def added(self, keys: Sequence[SentenceKey], vectors: np.ndarray) -> SentenceTable:
        dim = self.vectors.shape[1]
        return SentenceTable((*self.keys, *keys), np.vstack([self.vectors, np.asarray(vectors, np.float32).reshape(-1, dim)]))

    def without(self, article_ids: Iterable[str]) -> SentenceTable:
        drop = set(article_ids)
        keep = [i for i, k in enumerate(self.keys) if k[0] not in drop]
        return SentenceTable(tuple(self.keys[i] for i in keep), self.vectors[keep])

    def similarities(self, query: np.ndarray, spans: Sequence[tuple[str, int]]) -> list[float | None]:
        """Cosine of the query with each (article_id, start) sentence; None where no vector is stored."""
        rows = [self._rows.get(span) for span in spans]
        found = [r for r in rows if r is not None]
        sims = iter((self.vectors[found] @ query).tolist()) if found else iter(())
        return [next(sims) if r is not None else None for r in rows]
