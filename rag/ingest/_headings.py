"""Which heading line is the title, pure: decided by the page's structure and the lead, never by a paper's words.

A news item may print a kicker (引题) above its title and a subtitle (副题) below it. Markdown marks (``#``/``##``)
are not reliable about which is which (a converter marks the biggest type, which may be the subtitle), so the
title is the heading the lead paragraph restates most — news leads retell the headline — with ties going to the
earlier line; a heading before the title is the kicker, after it the subtitle.
"""

from __future__ import annotations

import re

from .sentences import ends_sentence

MAX_HEADING = 48
_MIN_TITLE = 6
_LEADING_TIME = re.compile(r"^(?:近日|日前|连日来|近期|今年\d*月?|\d+月\d+日)[，,]")
_DASHED = re.compile(r"^\s*(?:—|--|－－|──)")
HEAD_BULLETS = "■●◆★□◇○"  # leaders a paper prints before its titles
_LABEL = re.compile(r"^[【\[〔［].{1,16}[】\]〕］]$")


def heading_like(text: str, level: int = 0) -> bool:
    """Can this line be a title, kicker, subtitle or caption? Marked ``#``/``##``, or short with no sentence
    punctuation.

    >>> heading_like("顺义区总工会全力推动集体协商提质增效"), heading_like("近日，活动举办。")
    (True, False)
    """
    if level in (1, 2):
        return True
    if level:
        return False
    return len(text) <= MAX_HEADING and not ends_sentence(text) and not re.search(r"[，。；]", text)


def looks_like_title(text: str) -> bool:
    """A plain article's first line is its title when it reads like one: short, not a sentence, not a bare label.

    >>> looks_like_title("国际首套储能系统膨胀机下线"), looks_like_title("【科技前沿】"), looks_like_title("好")
    (True, False, False)
    """
    stripped = text.strip()
    return 4 <= len(stripped) <= MAX_HEADING and not _LABEL.match(stripped) and not re.search(r"[，。；]", stripped) \
        and not stripped.endswith(("：", ":"))


def is_label(text: str) -> bool:
    """A section label in brackets: ``【体育】``, ``〔文化〕``."""
    return bool(_LABEL.match(text.strip()))


def _bigrams(text: str) -> set[str]:
    chars = re.sub(r"[\s\W_]", "", text)
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def title_index(headings: list[str], lead: str) -> int:
    """Which of an item's heading lines (in page order) is the title, given its lead paragraph.

    >>> title_index(["坚持典型带动 健全工作机制", "顺义区总工会推动集体协商"], "顺义区总工会推动集体协商提质增效。")
    1
    >>> title_index(["市场价格平稳", "某县举办农产品展销会", "千家企业参展"], "近日，某县举办第五届农产品展销会。")
    1
    """
    if not headings:
        return -1
    # the first sentence restates the headline most closely, but may open on background: count both
    first = _bigrams(re.split(r"[。！？]", lead, maxsplit=1)[0])
    wider = _bigrams(lead[:150])

    def score(text: str, grams_of_lead: set[str]) -> float:
        grams = _bigrams(text)
        return len(grams & grams_of_lead) / len(grams) if grams else 0.0

    # a line opening with a dash ("——访…") is a subtitle by its punctuation, whatever it shares with the lead; a
    # bracketed label (【体育】, 〔文化〕) names the section
    candidates = ([i for i, text in enumerate(headings) if not _DASHED.match(text) and not is_label(text)]
                  or list(range(len(headings))))
    bulleted = [i for i in candidates if headings[i].lstrip().startswith(tuple(HEAD_BULLETS))]
    if len(bulleted) == 1:  # "■一箭七星！…": the paper marks its title
        return bulleted[0]
    return max(candidates, key=lambda i: (round(score(headings[i], first) + score(headings[i], wider), 3), -i))


def assign_headings(headings: list[str], lead: str) -> tuple[str, str, str]:
    """(kicker, title, subtitle): the lines before the title are the kicker, the lines after it the subtitle.

    >>> assign_headings(["市场价格平稳", "某县举办农产品展销会", "千家企业参展"], "近日，某县举办第五届农产品展销会。")
    ('市场价格平稳', '某县举办农产品展销会', '千家企业参展')
    """
    idx = title_index(headings, lead)
    if idx < 0:
        return "", "", ""
    return " ".join(headings[:idx]), headings[idx], " ".join(headings[idx + 1 :])


def derived_title(paragraph: str, key: str | None = None) -> str:
    """A title for an item printed without one: its first clause, without a leading time phrase. ``key`` is the
    Simplified form to read it on (same length); the title is cut from ``paragraph`` as written.

    >>> derived_title("近日，平谷区总工会走进项目工地，开展慰问活动。")
    '平谷区总工会走进项目工地'
    >>> derived_title("連日來，平谷區總工會走進工地。", "连日来，平谷区总工会走进工地。")
    '平谷區總工會走進工地'
    >>> derived_title("据了解，该项目年内完工，总投资十亿元。")
    '据了解，该项目年内完工'
    """
    key = paragraph if key is None or len(key) != len(paragraph) else key
    lead = _LEADING_TIME.match(key)
    start = lead.end() if lead else 0
    end = start
    while True:  # a clause too short to name anything (据了解，目前，) takes the next one with it
        end = re.search(r"[，。；！？]|$", key[end:]).start() + end + 1  # type: ignore[union-attr]
        if end - start > _MIN_TITLE or end >= len(key) or key[end - 1] in "。！？":
            break
    return paragraph[start : min(end - 1, start + 40)].strip()
