"""Starter questions for an empty chat, made from the corpus: the most recent articles' titles.

>>> from rag.types import Article
>>> arts = [Article("a", "密云区工匠学院成立", "…", "p1.txt", date="2024-05-02"),
...         Article("b", "体验插花艺术", "…", "p1.txt", date="2024-05-03"),
...         Article("c", "短", "…", "p2.txt")]
>>> [s.question for s in starter_questions(arts, 2)]
['体验插花艺术是怎么回事？', '密云区工匠学院成立是怎么回事？']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.types import Article, Chunk, Filters

#: the question asked about a title; a title outside these lengths makes a poor question (a kicker, a whole lead)
TEMPLATE = "{title}是怎么回事？"
MIN_TITLE, MAX_TITLE = 4, 28
_TRAILING = re.compile(r"[。！？!?，,；;：:、\s]+$")


@dataclass(frozen=True)
class Starter:
    question: str
    article_id: str
    title: str


def as_chunk(article: Article) -> Chunk:
    """The fields :meth:`Filters.accepts` reads, for filtering whole articles."""
    return Chunk(id=article.id, article_id=article.id, n=0, text="", start=0, end=0, title=article.title,
                 heading=article.heading, source=article.source, districts=article.districts,
                 regions=article.regions, date=article.date)


def clean_title(title: str) -> str:
    """One line, no trailing punctuation: ``"密云区工匠学院成立。 "`` -> ``"密云区工匠学院成立"``."""
    return _TRAILING.sub("", " ".join(title.split()))


def starter_questions(articles: Iterable[Article], n: int = 4, filters: Filters | None = None) -> list[Starter]:
    """Up to ``n`` questions about the newest articles (dated first, newest first, then in index order) that pass
    ``filters``, one title each; a first pass takes one article per source so the starters span several pages."""
    pool = [a for a in articles if filters is None or not filters or filters.accepts(as_chunk(a))]
    order = {a.id: i for i, a in enumerate(pool)}
    pool.sort(key=lambda a: (a.date == "", _negated(a.date), order[a.id]))
    picked: list[Starter] = []
    titles: set[str] = set()
    sources: set[str] = set()
    for one_per_source in (True, False):
        for article in pool:
            if len(picked) >= n:
                return picked
            title = clean_title(article.title)
            if not MIN_TITLE <= len(title) <= MAX_TITLE or title in titles:
                continue
            if one_per_source and article.source in sources:
                continue
            titles.add(title)
            sources.add(article.source)
            picked.append(Starter(TEMPLATE.format(title=title), article.id, title))
    return picked


def _negated(date: str) -> tuple[int, ...]:
    """A sort key putting later ISO dates first: ``"2024-05-03"`` -> ``(-2024, -5, -3)``."""
    return tuple(-int(p) for p in re.findall(r"\d+", date))
