"""Extractive answers, pure: the answer-bearing sentences with ``[n]`` markers, and list answers with one named,
cited item per supporting article."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..gazetteer import DISTRICTS, find_districts, find_organisations, find_places
from ..textnorm import search_form, to_simplified
from ..types import Citation
from .evidence import QueryTerms, Sentence, article_coverage

#: how many sentences a non-list answer gives, by question type
SENTENCES = {"how": 3, "lookup": 2}


@dataclass(frozen=True)
class Draft:
    text: str
    citations: tuple[Citation, ...]


class _Cites:
    """Numbers citations by first use, one per distinct sentence."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._index: dict[tuple[str, int, int], int] = {}

    def add(self, s: Sentence) -> int:
        key = (s.article.id, s.start, s.end)
        if key not in self._index:
            n = len(self.items) + 1
            self._index[key] = n
            self.items.append(Citation(n, s.article.id, s.chunk.id, s.article.title, s.article.source,
                                       s.chunk.text, s.text, s.start, s.end, round(s.score, 4)))
        return self._index[key]


def sentences_answer(ranked: Sequence[Sentence], qtype: str) -> Draft:
    """The best sentence first, then up to 1–2 more that score nearly as well (3 for how/why)."""
    cites = _Cites()
    best = ranked[0]
    chosen = [best]
    limit = SENTENCES.get(qtype, 1 if best.coverage >= 0.99 else 2)
    seen_text = {search_form(best.text)}
    for s in ranked[1:]:
        if len(chosen) >= limit or s.score < 0.75 * best.score:
            break
        if search_form(s.text) in seen_text:
            continue
        seen_text.add(search_form(s.text))
        chosen.append(s)
    return Draft("".join(f"{s.text}[{cites.add(s)}]" for s in chosen), tuple(cites.items))


def _item_names(kind: str, sentence: Sentence) -> list[str]:
    """Names of the right kind for a list item: from the title first, then the sentence, then the body."""
    a = sentence.article
    finders = {"district": find_districts, "place": find_places, "organisation": find_organisations}
    finder = finders.get(kind)
    if finder is None:
        return []
    for text in (a.title, sentence.text, a.body):
        names = list(finder(text))
        if kind == "organisation":
            names = [n for n in names if not n.startswith("北京市总工会")]
        if names:
            return names
    return []


def _mentions(name: str, text: str) -> bool:
    forms = (name, *DISTRICTS.get(name, ()))
    return any(f in text for f in forms)


_LIST_PHRASE = re.compile(r"(有)?(哪些|哪几个|哪几家|哪几支|哪几)")


def _headline(question: str, count: int) -> str:
    """``哪些区举办了集体协商比赛？`` → ``以下2个区举办了集体协商比赛：``"""
    q = to_simplified(question).strip().rstrip("？?。!！ ")
    m = _LIST_PHRASE.search(q)
    if not m or re.search(r"[a-zA-Z]{3,}", q):
        return f"共找到{count}项："
    measure = "家" if "家" in m.group(2) else "支" if "支" in m.group(2) else "个"
    rest = q[m.end() :]
    if rest.startswith(("个", "家", "支")):
        rest = rest[1:]
    return f"{q[: m.start()]}{'有' if m.group(1) else ''}以下{count}{measure}{rest}："


def list_answer(question: str, ranked: Sequence[Sentence], q: QueryTerms, kind: str,
                min_article_coverage: float = 0.8) -> Draft | None:
    """One item per supporting article, named and cited; ``None`` when fewer than two articles qualify.

    An article qualifies when its title and body contain most of the question's key terms (idf-weighted), so
    articles that only touch the topic are not listed.
    """
    best_by_article: dict[str, Sentence] = {}
    for s in ranked:
        best_by_article.setdefault(s.article.id, s)
    items: dict[str, list[Sentence]] = {}
    for s in best_by_article.values():
        a = s.article
        if article_coverage(q, a) < min_article_coverage:
            continue
        names = _item_names(kind, s) or [a.title]
        name = names[0]
        # cite the best sentence of this article that names the item, if any does
        naming = [t for t in ranked if t.article.id == a.id and _mentions(name, t.text)]
        items.setdefault(name, []).append(naming[0] if naming else s)
    if len(best_by_article) < 2 or len(items) < 2:
        return None
    cites = _Cites()
    lines = [_headline(question, len(items))]
    for i, (name, sentences) in enumerate(items.items(), 1):
        body = "".join(f"{s.text}[{cites.add(s)}]" for s in sentences)
        lines.append(f"{i}. {name}：{body}")
    return Draft("\n".join(lines), tuple(cites.items))
