"""The answer span inside an evidence sentence, pure: the fact a typed question asks for (``2023年8月16日``,
``15个基点``, ``永顺镇总工会代表队``).

Two sources of candidates, both general: the question's own wording aligned on the sentence (the text between
the words that precede the interrogative and the words that follow it: ``生命数耗完即算为[什么]`` on
``…生命数耗完即算为踢爆。`` gives ``踢爆``), and spans of the asked-for type (dates, numbers with a unit, money,
percentages, names tagged as people, places or organisations). A typed span next to the aligned slot wins.

>>> from rag.answer.analysis import analyse
>>> extract(analyse("生命数耗完即算为什么？"), "每次泡封会减少生命数，生命数耗完即算为踢爆。")
'踢爆'
>>> extract(analyse("狄拉克于何年提出了大数假说?"), "狄拉克于1937年提出了大数假说，引起争论。")
'1937年'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.ingest.textnorm import search_form

from .analysis import Analysis
from .names import FUNCTION_WORDS, dotted_name, whole_names
from .quantities import QUANTITY_KINDS, quantity_spans

_PERSON_TAGS, _PLACE_TAGS, _ORG_TAGS = {"nr", "nrfg", "nrt"}, {"ns"}, {"nt"}
_ORG = re.compile(r"[\u4e00-\u9fff·“”]{2,14}?(?:公司|集团|大学|学院|学校|协会|委员会|管理局|局|部|厅|署|银行|医院|中心|组织|联盟|联合会|"
                  r"基金会|研究所|研究院|政府|党|军|队|会|社|馆|所|台)")
_QUOTE = re.compile(r"“[^”]{2,30}”|《[^》]{2,40}》|「[^」]{2,30}」")
# a place after a verb of going ("前往奥林匹克森林公园"), ending in a word that names a place
_GOING = re.compile(r"(?<=在|到|往|赴|至|于)[\u4e00-\u9fff]{2,20}?(?:中心|公园|广场|学校|大学|学院|医院|工地|基地|社区|园区|"
                    r"村|镇|乡|街道|区|县|市|省|州|国|岛|山|河|湖|港|站|馆|厂|场|楼|宫|寺)")
_STOP = "，。；：、！？,.;:!?（）()“”「」《》【】 "
_MAX_SPAN = 40

Tagger = Callable[[str], list[tuple[str, str]]]


def _form(text: str) -> str:
    """Search form character by character, so offsets line up with ``text``."""
    out = []
    for ch in text:
        f = search_form(ch)
        out.append(f[:1] if f else ch)
    return "".join(out)


def _longest_suffix(needle: str, hay: str, floor: int = 2) -> tuple[int, int] | None:
    """(start, end) in ``hay`` of the longest suffix of ``needle`` (≥ ``floor`` characters) found there."""
    for n in range(min(len(needle), 24), floor - 1, -1):
        i = hay.rfind(needle[-n:])
        if i >= 0:
            return i, i + n
    return None


def _longest_prefix(needle: str, hay: str, start: int, floor: int = 2) -> tuple[int, int] | None:
    for n in range(min(len(needle), 24), floor - 1, -1):
        i = hay.find(needle[:n], start)
        if i >= 0:
            return i, i + n
    return None


def aligned(a: Analysis, text: str) -> tuple[int, int] | None:
    """The slot of the interrogative, aligned on ``text`` (offsets), or None."""
    found = _slot(a, text)
    return found[:2] if found else None


def _slot(a: Analysis, text: str) -> tuple[int, int, str] | None:
    """(start, end, which side was aligned: "both", "left" — the words before the interrogative — or "right")."""
    form = _form(text)
    left = _longest_suffix(re.sub(r"[，,、\s]+$", "", a.left), form) if a.left else None
    start = left[1] if left else None
    right = _longest_prefix(re.sub(r"^[，,、\s]+", "", a.right), form, start or 0) if a.right else None
    if start is not None and right is not None and 0 < right[0] - start <= _MAX_SPAN:
        return start, right[0], "both"
    if start is not None:
        end = start
        while end < len(form) and form[end] not in _STOP and end - start < _MAX_SPAN:
            end += 1
        return (start, end, "left") if end > start else None
    if right is not None:
        begin = right[0]
        while begin > 0 and form[begin - 1] not in _STOP and right[0] - begin < _MAX_SPAN:
            begin -= 1
        return (begin, right[0], "right") if right[0] > begin else None
    return None


def typed_spans(a: Analysis, text: str, tagger: Tagger | None = None) -> list[tuple[int, int]]:
    """Spans of ``text`` with the type the question asks for (offsets), in text order."""
    kind, form = a.kind, _form(text)
    if kind in QUANTITY_KINDS:
        return quantity_spans(a, form)
    if kind in {"name", "lookup"}:
        return sorted(set(_headed(a, form)) | {m.span() for m in _QUOTE.finditer(form)})
    return _tagged(a, form, tagger)


def _tagged(a: Analysis, form: str, tagger: Tagger | None) -> list[tuple[int, int]]:
    """Names the tagger marks as the asked-for kind (people, places, organisations), with patterns for the last two."""
    kind = a.kind
    tags = {"person": _PERSON_TAGS, "place": _PLACE_TAGS, "organisation": _ORG_TAGS}.get(kind)
    if tags is None or tagger is None:
        return [m.span() for m in _ORG.finditer(form)] if kind == "organisation" else []
    spans, pos, words, named = [], 0, [], []
    for word, flag in tagger(form):
        i = form.find(word, pos)
        if i < 0:
            continue
        pos = i + len(word)
        words.append((i, pos, word))
        if flag in tags and len(word) >= 2:
            named.append(len(words) - 1)
    for at in named:
        spans.append(whole_names(words, at) if kind == "person" else words[at][:2])
    if kind == "organisation":
        spans += [m.span() for m in _ORG.finditer(form)]
    if kind == "place":
        spans += [m.span() for m in _GOING.finditer(form)]
    return sorted(set(spans))


_BOUNDARY = set(_STOP) | FUNCTION_WORDS


def _headed(a: Analysis, form: str) -> list[tuple[int, int]]:
    """Phrases ending in the question's head noun (``哪个法案`` → ``1964年民权法案``), back to a function word."""
    if not a.head:
        return []
    out, i = [], form.find(a.head)
    while i >= 0:
        start = i
        while start > 0 and form[start - 1] not in _BOUNDARY and i - start < 10:
            start -= 1
        if start < i:
            out.append((start, i + len(a.head)))
        i = form.find(a.head, i + 1)
    return out


def _clean(text: str) -> str:
    return text.strip(_STOP + "的是为在于了和与及")


#: how well a span is supported (``scored``): the asked-for type filling the aligned slot (between the words before
#: and after the interrogative, or right next to the side that was found), the type elsewhere in the sentence, or
#: only the slot (a name the tagger does not know, or a phrase for a 什么 question)
IN_SLOT, TYPED_ONLY, SLOT_ONLY = 2, 1, 0


def extract(a: Analysis, text: str, tagger: Tagger | None = None) -> str | None:
    """The answer span for ``a`` in sentence ``text`` (its own characters), or None when none stands out."""
    found = scored(a, text, tagger)
    return found[0] if found else None


def scored(a: Analysis, text: str, tagger: Tagger | None = None) -> tuple[str, int] | None:
    """(the answer span, how well it is supported: :data:`IN_SLOT` > :data:`TYPED_ONLY` > :data:`SLOT_ONLY`).

    >>> from rag.answer.analysis import analyse
    >>> scored(analyse("决赛有几支代表队？"), "晋级决赛的四支代表队展现了风采。")
    ('四支', 2)
    >>> scored(analyse("决赛有几支代表队？"), "永顺镇代表队从全区20支队伍中脱颖而出。")
    ('20支', 1)
    """
    if not a.typed:
        return None
    question = a.question
    found = _slot(a, text)
    slot, side = (found[:2], found[2]) if found else (None, "")
    typed = [s for s in typed_spans(a, text, tagger) if _form(text[s[0] : s[1]]) not in question
             and (a.kind in {"name", "lookup"} or not _inside_title(text, s))]
    if typed:
        quality = TYPED_ONLY
        if slot is None:
            # no alignment: the typed span nearest the question's words (the densest overlap window)
            anchor = _anchor(question, _form(text))
            best = min(typed, key=lambda s: abs((s[0] + s[1]) / 2 - anchor))
        else:
            inside = [s for s in typed if s[0] >= slot[0] - 2 and s[1] <= slot[1] + 2]
            # the slot's side that was aligned is where the answer sits: nearest the words after it, if any
            if inside and slot[1] < len(text) and a.right:
                inside = inside[::-1]
            best = inside[0] if inside else min(typed, key=lambda s: min(abs(s[0] - slot[0]), abs(s[1] - slot[1])))
            quality = IN_SLOT if _fills(best, slot, side) else TYPED_ONLY
            if not inside and a.kind in {"person", "place", "organisation", "lookup", "name"}:
                best, quality = slot, SLOT_ONLY  # the slot itself names the thing (names the tagger does not know)
        best = _extend(a, text, best)
        if a.kind == "person":
            best = dotted_name(text, best)
        span = _clean(text[best[0] : best[1]])
        if a.kind not in _COUNTED_KINDS and echo(_form(span), question) >= ECHO_MAX:
            return None  # it restates the question: no span is better than the next best
        return (span, quality) if span else None
    if a.kind in {"date", "number", "money", "percent"}:
        return None  # the sentence has no span of the asked-for type
    if slot is None:
        return None
    if a.kind == "person":
        slot = dotted_name(text, slot)
    span = _clean(text[slot[0] : slot[1]])
    if echo(_form(span), question) >= ECHO_MAX:  # (no quantity comes this way: they returned above)
        return None
    return (span, SLOT_ONLY) if span and len(span) <= _MAX_SPAN and _form(span) not in question else None


def _fills(span: tuple[int, int], slot: tuple[int, int], side: str) -> bool:
    """Does the span fill the slot: inside it when both sides were aligned, else touching the aligned side?"""
    if side == "both":
        return span[0] >= slot[0] - 2 and span[1] <= slot[1] + 2
    if side == "left":
        return span[0] <= slot[0] < span[1]
    return span[0] < slot[1] <= span[1]


#: a span made wholly of the question's own character pairs restates it ("安全以及哪一方面" → 安全方面, "拆分成哪两家
#:公司" → 两家公司); quantities share the question's measure word by nature (几等奖 → 一等奖) and are not held to
#: it. Measured: lower shares also drop right spans that repeat the question's place (桃园市大溪区), docs/answers.md
ECHO_MAX = 1.0
_COUNTED_KINDS = frozenset({"number", "date", "money", "percent"})


def echo(span: str, question: str) -> float:
    """Share of the span's characters inside a character pair the question also has.

    >>> echo("安全方面", "是顾及到安全以及哪一方面的缘故"), echo("都会型商圈", "哪一种商圈比较少")
    (1.0, 0.4)
    """
    if len(span) < 2:
        return 0.0
    pairs = {question[i : i + 2] for i in range(len(question) - 1)}
    covered = set()
    for i in range(len(span) - 1):
        if span[i : i + 2] in pairs:
            covered.update((i, i + 1))
    return len(covered) / len(span)


def _inside_title(text: str, span: tuple[int, int]) -> bool:
    """Is the span inside a 《book title》 (a name in a title is not the person or place asked for)?"""
    return text.rfind("《", 0, span[0]) > text.rfind("》", 0, span[0])


def _extend(a: Analysis, text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A number span runs on with the question's words after its unit (``几等奖`` on ``一等奖``: ``一等`` + ``奖``)."""
    if a.kind != "number" or a.unit != "等" or not a.right.startswith(a.unit):
        return span
    tail, end = a.right[len(a.unit) : len(a.unit) + 1], span[1]
    while tail and end < len(text) and _form(text[end]) == tail[0]:
        end, tail = end + 1, tail[1:]
    return span[0], end


def _anchor(question: str, form: str) -> float:
    """Where in ``form`` the question's character bigrams are densest (mean position of the matches)."""
    grams = {question[i : i + 2] for i in range(len(question) - 1)}
    hits = [i for i in range(len(form) - 1) if form[i : i + 2] in grams]
    return sum(hits) / len(hits) if hits else len(form) / 2
