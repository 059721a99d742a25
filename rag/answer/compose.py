"""Extractive answers, pure: the answer-bearing sentences with ``[n]`` markers, and list answers with one named,
cited item per supporting article."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.ingest.gazetteer import DISTRICTS, find_districts, find_organisations, find_places
from rag.ingest.textnorm import search_form, to_simplified
from rag.types import Citation

from .evidence import QueryTerms, Sentence, article_coverage
from .features import bigrams

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


def sentences_answer(ranked: Sequence[Sentence], qtype: str, question: str = "") -> Draft:
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
    chosen = in_text_order(continued(chosen, ranked))
    return Draft("".join(f"{_shown(s, question)}[{cites.add(s)}]" for s in chosen), tuple(cites.items))


#: how many pieces a sentence is joined with on each side
RUN_ON = 2
#: a piece opening with one of these words follows on from the piece before it ("因此，畜牧业发达")
_FOLLOWS_ON = re.compile(r"^\s*(?:因此|所以|因而|于是|故而|由此|从而|因为这|这使|这也|这样一来|此后|其后|然而|但是|但)")


def continued(chosen: Sequence[Sentence], pool: Sequence[Sentence], limit: int = RUN_ON) -> list[Sentence]:
    """``chosen``, each piece joined to the rest of its sentence from ``pool`` (each piece keeps its citation): the
    pieces after one that stops at ``；`` or ``：``, and the piece before one that opens by following on from it
    (``…带来丰富的水源；`` + ``因此，畜牧业发达；``). At most ``limit`` pieces on each side."""
    by_start = {(s.article.id, s.start): s for s in pool}
    by_end = {(s.article.id, s.end): s for s in pool}
    taken = {(s.article.id, s.start) for s in chosen}

    def take(s: Sentence | None) -> Sentence | None:
        if s is None or (s.article.id, s.start) in taken:
            return None
        taken.add((s.article.id, s.start))
        return s

    out: list[Sentence] = []
    for s in chosen:
        before: list[Sentence] = []
        current = s
        while _FOLLOWS_ON.match(search_form(current.text)) and len(before) < limit:
            start = current.start
            while start > 0 and current.article.body[start - 1] in " \u3000\t":
                start -= 1
            prev = by_end.get((current.article.id, start))
            if prev is None or not prev.text.rstrip().endswith(("；", ";", "，", ",")) or take(prev) is None:
                break
            before.insert(0, prev)
            current = prev
        after: list[Sentence] = []
        current = s
        while current.text.rstrip().endswith(("；", ";", "：", ":")) and len(after) < limit:
            body, end = current.article.body, current.end
            while end < len(body) and body[end] in " \u3000\t":
                end += 1
            nxt = take(by_start.get((current.article.id, end)))
            if nxt is None:
                break
            after.append(nxt)
            current = nxt
        out += [*before, s, *after]
    return out


def adjacent(first: Sentence, second: Sentence) -> bool:
    """Does ``second`` follow ``first`` in the same article, with nothing but white space between them?"""
    return (first.article.id == second.article.id and first.end <= second.start
            and not first.article.body[first.end : second.start].strip())


def in_text_order(chosen: Sequence[Sentence]) -> list[Sentence]:
    """``chosen`` with each run of neighbouring pieces put in the order the article gives them, the runs in the
    order of their first chosen piece: "因此它被称为笨蛋水果。" after the sentence it follows from, not before it."""
    runs: list[list[Sentence]] = []
    for s in chosen:
        runs.append([s])
        merged = True
        while merged:  # a piece may join two runs (the one before it and the one after it)
            merged = False
            for i, j in ((i, j) for i in range(len(runs)) for j in range(len(runs)) if i != j):
                if adjacent(runs[i][-1], runs[j][0]):
                    runs[min(i, j)] = runs[i] + runs[j]
                    del runs[max(i, j)]
                    merged = True
                    break
    return [s for run in runs for s in run]


def _shown(s: Sentence, question: str = "") -> str:
    """The sentence as displayed (no dateline, byline or page prefix); the citation keeps it whole."""
    from .lead import clean_display

    return clean_display(s.text, question) or s.text


def _label(kind: str, article, question: str) -> str:
    """How a list item is named: the district / place / organisation the article is about, else its title.

    A name the question itself uses ("八里庄街道总工会都办过哪些活动") says nothing, so the title names the item.
    """
    finders = {"district": find_districts, "place": find_places, "organisation": find_organisations}
    finder = finders.get(kind)
    names: list[str] = []
    if finder is not None:
        names = list(finder(article.title)) or (list(article.districts) if kind == "district" else [])
        if kind == "place" and not names:
            names = list(find_districts(article.title)) or list(article.districts)
    names = [n for n in names if not _mentions(n, question)]
    return names[0] if names else article.title


def _mentions(name: str, text: str) -> bool:
    """Is ``name`` (or, for a district, one of its short forms) in ``text``?"""
    return any(form in text for form in (name, *DISTRICTS.get(name, ())))


#: two sentences this alike (bigram Jaccard) come from one report, reposted
SAME_REPORT = 0.8


def _same_report(a: Sentence, b: Sentence) -> bool:
    """Are ``a`` and ``b`` the same sentence of one report carried by two articles?"""
    x, y = bigrams(a.text), bigrams(b.text)
    return a.article.id != b.article.id and bool(x and y) and len(x & y) / len(x | y) >= SAME_REPORT


_LIST_PHRASE = re.compile(r"(有)?(哪些|哪几个|哪几家|哪几支|哪几位|哪几)")
_MEASURES = ("个", "家", "支", "位", "名", "所", "项", "种", "条")


def _headline(question: str, count: int) -> str:
    """``哪些区举办了集体协商比赛？`` → ``以下2个区举办了集体协商比赛：``"""
    q = to_simplified(question).strip().rstrip("？?。!！ ")
    m = _LIST_PHRASE.search(q)
    if not m or re.search(r"[a-zA-Z]{3,}", q):
        return f"共找到{count}项："
    measure = next((c for c in _MEASURES if c in m.group(2)), "个")
    rest = q[m.end() :]
    if rest.startswith(_MEASURES):
        measure, rest = rest[0], rest[1:]
    return f"{q[: m.start()]}{'有' if m.group(1) else ''}以下{count}{measure}{rest}："


#: an article also qualifies as a list item when its best sentence is this close in meaning (cosine) to the best
#: article's and its key-term coverage is at least LIST_MIN_COVERAGE and within NEAR_GAP of the best article's: items
#: reworded from the question ("搭鹊桥" for 交友联谊, "徒步" for 健步走). Measured (docs/answers.md), whole seeds
#: 0.928 → 0.937, CRUD 0.757 → 0.761, both blind sets up, CMRC and DRCD unchanged, no question lost; without the
#: gap, reports of collective bargaining with no contest were listed for "哪些区举办了集体协商比赛".
CLOSE_COSINE = 0.02
LIST_MIN_COVERAGE = 0.3
NEAR_GAP = 0.4


def list_answer(question: str, ranked: Sequence[Sentence], q: QueryTerms, kind: str,
                floor: float = 0.55, margin: float = 0.2, limit: int = 8) -> Draft | None:
    """One item per supporting article, named and cited; ``None`` when fewer than two articles qualify.

    An article qualifies when its title and body cover the question's key terms (idf-weighted) nearly as well as
    the best article does, so articles that only touch the topic are not listed, or when its best sentence is nearly
    as close in meaning as the best article's (``CLOSE_COSINE``) and it covers some of the terms.
    """
    best_by_article: dict[str, Sentence] = {}
    cos: dict[str, float] = {}  # the article's closest sentence in meaning
    for s in ranked:
        best_by_article.setdefault(s.article.id, s)
        cos[s.article.id] = max(cos.get(s.article.id, 0.0), s.cosine)
    cover = {aid: article_coverage(q, s.article) for aid, s in best_by_article.items()}
    if not cover:
        return None
    top_cover = max(cover.values())
    bar = max(floor, top_cover - margin)
    top_cos = max(cos.values())
    items: dict[str, list[Sentence]] = {}
    for aid, s in best_by_article.items():
        near = cos[aid] >= top_cos - CLOSE_COSINE and cover[aid] >= max(LIST_MIN_COVERAGE, top_cover - NEAR_GAP)
        if cover[aid] < bar and not near:
            continue
        a = s.article
        name = _label(kind, a, question)
        if kind == "district" and name == a.title:
            continue  # a district list lists districts: an article about none is not an item
        # a place is cited where the sentence names it; otherwise the article's best sentence
        naming = [t for t in ranked if t.article.id == a.id and _mentions(name, t.text)] if kind != "organisation" else []
        key = name if kind == "district" else f"{name}\x00{aid}"
        chosen = naming[0] if naming else s
        if any(_same_report(chosen, t) for ts in items.values() for t in ts):
            continue  # the same report reposted by another source is not another item
        items.setdefault(key, []).append(chosen)
    if len(items) < 2:
        return None
    cites = _Cites()
    lines = [_headline(question, min(len(items), limit))]
    for i, (key, sentences) in enumerate(list(items.items())[:limit], 1):
        name = key.split("\x00")[0]
        titles = "、".join(dict.fromkeys(s.article.title for s in sentences if s.article.title != name))
        head = f"{name}（{titles}）" if titles and name != titles else name
        body = "".join(f"{_shown(s, question)}[{cites.add(s)}]" for s in sentences)
        lines.append(f"{i}. {head}：{body}")
    return Draft("\n".join(lines), tuple(cites.items))
