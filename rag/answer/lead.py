"""The fact first, pure: the answer span, then one cleaned supporting sentence; 是/否 for yes/no questions; the
reply in the asker's script.

A supporting sentence is cited whole (its snippet stays the article's exact text); what is shown is cleaned of
leading datelines, ``正文：``/``原标题：`` prefixes, bylines and stray punctuation, and cut to the clauses around the
span when it is long.

>>> clean_display("2023-08-16 17:26，正文：原标题：某地召开会议 本报讯（记者 张三）近日，会议召开。")
'近日，会议召开。'
>>> clean_display("新京报贝壳财经讯（记者阎侠）8月14日，晨光生物发布半年报。")
'8月14日，晨光生物发布半年报。'
>>> clean_display("，并于当日完成。")
'并于当日完成。'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from rag.ingest.textnorm import search_form, to_simplified

from .analysis import Analysis
from .compose import Draft, _Cites, adjacent, continued, in_text_order
from .evidence import _ASKS_BYLINE, _ASKS_PHOTO, Sentence
from .span import _PERSON_TAGS, IN_SLOT, TYPED_ONLY, scored

_DATELINE = re.compile(r"^\s*(?:\[\s*)?\d{4}-\d{1,2}-\d{1,2}(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?\s*\]?\s*[，,]?\s*")
_PREFIXES = re.compile(r"^\s*(?:正文[:：]\s*)?(?:原标题[:：][^\s。]*?(?:\s+|(?=本报讯|新华社|[（(]记者)))?")
_LABELS = re.compile(r"^\s*(?:正文[:：]\s*)?(?:原标题[:：]\s*)?")
_BYLINE = re.compile(r"^\s*(?:本报讯|新华社[^（(，]{0,12}电|[^（(，。]{1,12}电|[^（(，。\s]{2,16}讯)?\s*[（(][^）)]{0,40}(?:记者|通讯员)[^）)]{0,40}[）)]\s*")
_LEAD_PUNCT = re.compile(r"^[\s，,、；;：:。]+")
_NEGATION = re.compile(r"不|未|没有|没|并非|无|否认|拒绝|禁止|停止")
_CLAUSE = re.compile(r"[^，；。！？]*[，；。！？]?")
#: a longer supporting sentence is cut to the clauses around the span (measured: cutting at 80 characters lost the
#: gold fact whenever the span was the wrong one, so only very long sentences are cut)
SUPPORT_CHARS = 160
#: … except when the span fills the question's slot and the ranker is sure of its sentence (measured on the suite,
#: docs/answers.md: 80 shortens answers on every set and loses 2 of DRCD's first 800 questions; 50 loses 4)
CONFIDENT_CHARS = 80
#: (answer type, support) whose spans are right too seldom to lead the answer; the sentences answer instead
#: (measured on the seeds, CMRC, CRUD and DRCD, docs/answers.md: a "what" question's span that is of a kind it
#: could ask for but not where its wording lines up was right 28 times in 63)
UNSURE_LEADS = frozenset({("lookup", TYPED_ONLY)})
#: a number asked for in the question's wording may come from one of this many best sentences (see ``fact_first``)
SPAN_POOL = 3
NUMERIC_KINDS = frozenset({"number", "date", "money", "percent"})
Tagger = Callable[[str], list[tuple[str, str]]]


def asks_credit(question: str) -> bool:
    """Does the question ask who reported or photographed (then the byline is the answer, not noise)?"""
    return bool(_ASKS_BYLINE.search(question) or _ASKS_PHOTO.search(question))


def clean_display(text: str, question: str = "") -> str:
    """The sentence as shown: no dateline, page prefixes, byline (unless ``question`` asks for it) or leading
    punctuation."""
    patterns = (_DATELINE, _PREFIXES, _LEAD_PUNCT) if asks_credit(question) else (_DATELINE, _PREFIXES, _BYLINE, _LEAD_PUNCT)
    for pattern in patterns:
        text = pattern.sub("", text, count=1)
    return text.strip()


def _around(text: str, span: str, limit: int = SUPPORT_CHARS) -> str:
    """The clauses of ``text`` around ``span`` (whole sentence when short)."""
    if len(text) <= limit or span not in text:
        return text
    clauses = [c for c in _CLAUSE.findall(text) if c]
    pos, at = 0, 0
    for i, c in enumerate(clauses):
        if pos <= text.index(span) < pos + len(c):
            at = i
            break
        pos += len(c)
    lo = hi = at
    size = len(clauses[at])
    while True:
        grew = False
        for j in (lo - 1, hi + 1):
            if 0 <= j < len(clauses) and size + len(clauses[j]) <= limit:
                size += len(clauses[j])
                lo, hi = min(lo, j), max(hi, j)
                grew = True
        if not grew:
            break
    out = "".join(clauses[lo : hi + 1])
    return out if out.endswith(("。", "！", "？")) else out.rstrip("，；") + "…"


_CREDITED = re.compile(r"(?:记者|通讯员|摄影|摄)\s*((?:[\u4e00-\u9fff]{2,4}\s*)+)")


def credited_names(text: str) -> str:
    """The people a byline or photo credit names, in order: ``本报记者 刘欣欣 通讯员 阚旭 摄影报道`` → ``刘欣欣、阚旭``."""
    names: list[str] = []
    for m in _CREDITED.finditer(text):
        names += [n for n in m.group(1).split() if n not in {"通讯员", "记者", "摄影", "报道", "摄影报道", "本报记者"}]
    return "、".join(dict.fromkeys(names))


def _span_of(a: Analysis, s: Sentence, tagger: Tagger | None) -> tuple[str, str, int] | None:
    """(shown text, span, support quality) of one sentence, or None."""
    shown = clean_display(s.text, a.question) or s.text
    if asks_credit(a.question) and (credit := credited_names(shown)):
        return shown, credit, IN_SLOT
    found = scored(a, shown, tagger)
    if found is None:
        whole = _LABELS.sub("", _DATELINE.sub("", s.text, count=1), count=1).strip()
        if whole != shown and (found := scored(a, whole, tagger)) is not None:
            shown = whole  # the fact is in what the display leaves out ("原标题：…同比增长88.0%" before the byline)
    return (shown, *found) if found else None


def fact_first(a: Analysis, ranked: Sequence[Sentence], tagger: Tagger | None,
               pool: int | None = None, also: Sentence | None = None) -> tuple[Draft, str] | None:
    """``span[1]。supporting clauses[1]`` from the best sentence, or None when no span stands out; ``also`` (the
    runner-up the ranker can hardly tell from the best) is cited after it, or before it when it is the sentence
    right before.

    A number, date, amount or share asked for in the question's own wording ("几支代表队") is taken from the next
    best sentences when the best one has none, or only a number of another thing ("20支队伍"), and one of them has
    it in the aligned slot ("四支代表队"). When only the runner-up has a span of the asked-for type, it leads and the
    best is cited after it.
    """
    best, found = ranked[0], _span_of(a, ranked[0], tagger)
    if a.kind in NUMERIC_KINDS and (found is None or found[2] < IN_SLOT):
        for s in ranked[1 : max(pool or SPAN_POOL, 1)]:
            other = _span_of(a, s, tagger)
            if other is not None and other[2] == IN_SLOT:
                best, found = s, other
                break
    if found is None and also is not None and (other := _span_of(a, also, tagger)) is not None:
        best, found, also = also, other, best  # the ranker could hardly tell them apart; only the other has a span
    if found is None and a.kind == "date" and _TIME_BACK.search(search_form(best.text)):
        # "也正是在这一年，…": the year is the one the sentence before gives
        earlier = _before(best, ranked)
        if earlier is not None and (dated := _span_of(a, earlier, tagger)) is not None:
            cites = _Cites()
            first = cites.add(earlier)
            text = (f"{dated[1]}[{first}]。{dated[0]}[{first}]"
                    f"{clean_display(best.text, a.question) or best.text}[{cites.add(best)}]")
            return Draft(text, tuple(cites.items)), dated[1]
    if found is None or (a.kind, found[2]) in UNSURE_LEADS:
        return None
    shown, span, quality = found
    cites = _Cites()
    if a.kind == "person" and _PRONOUN.fullmatch(span):
        # "他强调，…": the person is named in an earlier sentence of the article
        named = antecedent(best, ranked, tagger)
        if named is None:
            return None
        earlier, name = named
        first = cites.add(earlier)
        n = cites.add(best)
        text = f"{name}[{first}]。{clean_display(earlier.text, a.question) or earlier.text}[{first}]{_around(shown, span)}[{n}]"
        return Draft(text, tuple(cites.items)), name
    n = cites.add(best)
    support = _around(shown, span, CONFIDENT_CHARS if quality == IN_SLOT and also is None else SUPPORT_CHARS)
    if search_form(span) == search_form(support.rstrip("。！？…")):
        support = ""
    before = after = ""
    if also is not None and also is not best and search_form(also.text) != search_form(best.text):
        extra = f"{clean_display(also.text, a.question) or also.text}[{cites.add(also)}]"
        before, after = (extra, "") if support and adjacent(also, best) else ("", extra)
    body = f"{before}{support}[{n}]" if support else ""
    return Draft(f"{span}[{n}]" + (f"。{body}" if body else "") + after, tuple(cites.items)), span


#: words by which a sentence dates itself by the sentence before it
_TIME_BACK = re.compile(r"这一年|这年|同年|当年|是年|那一年|那年|赛后|事后|当时|此时")


def _before(s: Sentence, pool: Sequence[Sentence]) -> Sentence | None:
    """The sentence right before ``s`` in its article, when it is in ``pool``."""
    return next((t for t in pool if adjacent(t, s)), None)


_PRONOUN = re.compile(r"他|她|他们|她们|其|此人|该人|对方")
#: how many sentences back a pronoun's antecedent is looked for
ANTECEDENT_WINDOW = 3


def antecedent(s: Sentence, pool: Sequence[Sentence], tagger: Tagger | None,
               window: int = ANTECEDENT_WINDOW) -> tuple[Sentence, str] | None:
    """(the sentence, the person) a pronoun at the start of ``s`` refers to: the last person named in the nearest
    of the ``window`` sentences before it in its article (from ``pool``), or None."""
    if tagger is None:
        return None
    earlier = sorted((t for t in pool if t.article.id == s.article.id and t.end <= s.start),
                     key=lambda t: t.start, reverse=True)
    for t in earlier[:window]:
        names = [w for w, flag in tagger(t.text) if flag in _PERSON_TAGS and len(w) >= 2]
        if names:
            return t, names[-1]
    return None


def yes_no(a: Analysis, ranked: Sequence[Sentence]) -> Draft:
    """是 / 否 (negated in the text but not in the question) / 文中未说明 (the best sentence barely matches), then
    the sentence."""
    best = ranked[0]
    shown = clean_display(best.text, a.question) or best.text
    negated = bool(_NEGATION.search(search_form(shown))) and not _NEGATION.search(a.content)
    verdict = "否" if negated else "是"
    if best.coverage < 0.5:
        verdict = "文中未说明"
    cites = _Cites()
    return Draft(f"{verdict}。\n{shown}[{cites.add(best)}]", tuple(cites.items))


def descriptive(ranked: Sequence[Sentence], question: str = "", limit: int = 3, floor: float = 0.6) -> Draft:
    """1–3 cleaned sentences from the best sentence's article, best first, then in text order; each joined to the
    rest of its sentence (:func:`continued`)."""
    best = ranked[0]
    same = [s for s in ranked[1:] if s.article.id == best.article.id and s.score >= floor * best.score]
    chosen, seen = [best], {search_form(best.text)}
    for s in same:
        if len(chosen) >= limit:
            break
        if search_form(s.text) not in seen:
            seen.add(search_form(s.text))
            chosen.append(s)
    chosen = in_text_order(continued([chosen[0], *sorted(chosen[1:], key=lambda s: s.start)], ranked))
    cites = _Cites()
    return Draft("".join(f"{clean_display(s.text, question) or s.text}[{cites.add(s)}]" for s in chosen), tuple(cites.items))


def is_traditional(question: str) -> bool:
    return to_simplified(question) != question


def asker_script(question: str, history: Sequence[dict] | None = None) -> str:
    """The text whose script the reply follows: the question itself, or — when it is written the same in both
    scripts (``它呢？``) — the asker's latest earlier question.

    >>> asker_script("今天天氣怎麼樣？", [{"role": "user", "content": "几等奖？"}])
    '今天天氣怎麼樣？'
    >>> asker_script("它呢？", [{"role": "user", "content": "獲得了幾等獎？"}])
    '獲得了幾等獎？'
    """
    if is_traditional(question) or _s2t().convert(question) != question:
        return question
    earlier = [t.get("content", "") for t in history or () if t.get("role") == "user" and isinstance(t.get("content"), str)]
    return earlier[-1] if earlier else question


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def to_script(text: str, question: str, snippets: Sequence[str] = ()) -> str:
    """A Traditional question gets Traditional text. Quotes from a Traditional corpus are left exactly as they are
    (converting them again would change their characters, ``台北`` → ``臺北``); only the product's own words are."""
    if not is_traditional(question):
        return text
    if snippets and (any(is_traditional(s) for s in snippets) or all(_s2t().convert(s) == s for s in snippets)):
        return re.sub(r"^(是|否|文中未说明)(?=。)", lambda m: _s2t().convert(m.group(1)), text)
    pieces = re.split(r"(\[\d+\]|\n)", text)
    return "".join(p if p.startswith("[") else _s2t().convert(p) for p in pieces)
