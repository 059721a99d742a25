"""Names of people in answer spans: a transliterated name is one name across its dots (``皮埃尔·特鲁多``,
``米格达利娅·布尔内斯``), whatever part of it the tagger knows."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rag.ingest.textnorm import search_form

#: words that end a phrase: a span with one of them (or with punctuation) runs on past the name in it
FUNCTION_WORDS = frozenset("的在与和及是了对朝为从由被把将向于有")

_NAME_DOT = "·‧•・"
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")


def whole_names(words: list[tuple[int, int, str]], at: int) -> tuple[int, int]:
    """The span of the name at ``words[at]`` (``(start, end, word)`` in text order) across its dots: a
    transliterated name is one name, ``皮埃尔·特鲁多``, not ``皮埃尔``.

    >>> whole_names([(0, 2, "其父"), (2, 5, "皮埃尔"), (5, 6, "·"), (6, 9, "特鲁多"), (9, 11, "曾任")], 1)
    (2, 9)
    >>> whole_names([(0, 1, "由"), (1, 3, "马基"), (3, 4, "‧"), (4, 6, "维利"), (6, 7, "所")], 3)
    (1, 6)
    """
    first = last = at
    while last + 2 < len(words) and words[last + 1][2] in _NAME_DOT and _CJK_WORD.fullmatch(words[last + 2][2]):
        last += 2
    while first - 2 >= 0 and words[first - 1][2] in _NAME_DOT and _CJK_WORD.fullmatch(words[first - 2][2]):
        first -= 2
    return words[first][0], words[last][1]


@lru_cache(maxsize=1)
def transliteration() -> frozenset[str]:
    """Characters that spell foreign names (data: rag/answer/data/transliteration.txt), loaded on first use."""
    import opencc

    path = Path(__file__).parent / "data" / "transliteration.txt"
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    chars = {ch for ln in lines for ch in ln}
    s2t = opencc.OpenCC("s2t")
    return frozenset(chars | {s2t.convert(ch) for ch in chars})


def dotted_name(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A person span that holds or touches a name dot, made the whole transliterated name around that dot: the run
    of name characters and dots (``米格达利娅·布尔内斯`` for ``娅·布尔``; ``埃里克·蘭德`` for ``里克·蘭德為美國…``).
    Spans without a dot, or whose dot has no name characters on one side, stay as they are.

    >>> text = "副局长米格达利娅·布尔内斯在现场说"
    >>> dotted_name(text, (7, 11)), text[slice(*dotted_name(text, (7, 11)))]
    ((3, 13), '米格达利娅·布尔内斯')
    >>> text[slice(*dotted_name(text, (5, 7)))]  # 达利, the part the tagger knows
    '米格达利娅·布尔内斯'
    >>> dotted_name("由马克·吐温所写", (1, 3))
    (1, 3)
    """
    start, end = span
    names = transliteration()
    dots = [i for i in range(max(start - 1, 0), min(end + 1, len(text))) if text[i] in _NAME_DOT]
    left, right = start, end  # a dot reached from the span's ends through name characters counts too (达利 of 米格达利娅·…)
    while left > 0 and text[left - 1] in names:
        left -= 1
    while right < len(text) and text[right] in names:
        right += 1
    dots += [i for i in (left - 1, right) if 0 <= i < len(text) and text[i] in _NAME_DOT]
    if not dots:
        return span
    lo, hi = dots[0], dots[0] + 1
    if not (lo > 0 and text[lo - 1] in names and hi < len(text) and text[hi] in names):
        return span
    while lo > 0 and (text[lo - 1] in names or (text[lo - 1] in _NAME_DOT and lo > 1
                                                           and text[lo - 2] in names)):
        lo -= 1
    while hi < len(text) and (text[hi] in names or (text[hi] in _NAME_DOT and hi + 1 < len(text)
                                                              and text[hi + 1] in names)):
        hi += 1
    form = search_form(text[start:end])
    if FUNCTION_WORDS.isdisjoint(form) and not re.search(r"[^\w·‧•・]", form):  # a name given whole: widened, not cut
        lo, hi = min(lo, start), max(hi, end)
    return lo, hi
