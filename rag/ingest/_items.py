"""Where the items of a page start, pure: at a lead (with the heading lines above it), at a question-and-answer
interview under headings, or at a ``#``/``##`` title over text; and which ``#`` line is a page banner.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ._headings import heading_like, is_label
from ._leads import CAPTION, Lead, match_lead
from ._lines import Line
from .sentences import ends_sentence

_MAX_HEADINGS = 3
_MAX_INTRO = 3  # paragraphs between an interview's headings and its first question
_TURN = re.compile(r"^[\u4e00-\u9fff·]{2,6}\s*[：:]")
_MAX_BLOCK = 4  # a section label, a kicker, the title and a subtitle
_MAX_HEADLINE = 40


@dataclass
class Item:
    kind: str  # news | photo
    start: int  # index into lines of the first heading/body line
    anchor: int  # index of the lead line (news), the credit line (photo), or the first body line
    headings: list[Line]
    lead: Lead | None
    plain: bool = False  # the whole text is one article: its body runs over any later heading


def banner_index(lines: list[Line]) -> int:
    """The page banner: a first ``#`` line followed by more headings (a title would be followed by its text), on a
    page whose items do not write their titles with ``#`` too; -1 when there is none."""
    if len(lines) < 2 or lines[0].level != 1 or not (lines[1].level == 3 or _is_heading(lines[1])):
        return -1
    run = next((k for k in range(1, len(lines)) if not _is_heading(lines[k])), len(lines)) - 1  # headings after it
    # under it a section label or a ## title, or more headings than one item carries: it heads the page; else it
    # is a title with its subtitle unless it is the page's only # line
    if lines[1].level in (2, 3) or run >= _MAX_HEADINGS or not any(line.level == 1 for line in lines[1:]):
        return 0
    return -1


def _is_heading(line: Line) -> bool:
    return not line.cont and line.level != 3 and heading_like(line.key, line.level) and match_lead(line.key) is None


def _closed(lines: list[Line], i: int) -> bool:
    """Does the text before line ``i`` end (start of page, a finished sentence, a credit or a label)?"""
    if i == 0:
        return True
    prev = lines[i - 1]
    lead = match_lead(prev.key)
    return ends_sentence(prev.key) or prev.level in (1, 3) or (lead is not None and lead.kind in ("photo", "picture"))


def _headings_above(lines: list[Line], i: int, floor: int, banner: int) -> int:
    """Walk back from line ``i`` over at most three heading lines, never to ``floor`` or the banner."""
    j = i
    while j > 0 and i - j < _MAX_HEADINGS and j - 1 > floor and j - 1 != banner and _is_heading(lines[j - 1]):
        j -= 1
        if is_label(lines[j].key):
            break  # a section label (【体育】) opens the item: the lines above it are another's
    return j


def usual_gap(lines: list[Line]) -> int:
    """How many file lines apart the page's paragraphs most often start (2 when a blank line separates them)."""
    gaps = Counter(b.no - a.no for a, b in zip(lines, lines[1:], strict=False) if not b.cont)
    return gaps.most_common(1)[0][0] if gaps else 1


def _apart(lines: list[Line], i: int, j: int, usual: int) -> bool:
    """Are lines ``i`` < ``j`` set apart by more space than the page's paragraphs (or is one off the page)?"""
    return i < 0 or j >= len(lines) or lines[j].no - lines[i].no > usual


def headline_like(text: str) -> bool:
    """Can this line be part of a headline block set apart by space: short, no full stop, not a caption? A
    headline may hold a comma or end with ！ ("一箭七星！…", "…转走260万元，收款人竟是…").

    >>> headline_like("●对公账户转走260万元，收款人竟是老板的丈母娘"), headline_like("法庭判决转账无效！")
    (True, True)
    >>> headline_like("宋佳媛获得女子铅球金牌。 图/新华社"), headline_like("近日，记者从四川省统计局获悉，全省消费回暖。")
    (False, False)
    """
    return (len(text) <= _MAX_HEADLINE and not re.search(r"[。；;]", text) and not text.endswith(("：", ":", "，", ","))
            and text.count("，") <= 2 and not CAPTION.search(text))


def headline_blocks(lines: list[Line], banner: int) -> dict[int, list[int]]:
    """Headline blocks set apart by more space than the page leaves between paragraphs: {index of the first line
    after the block (a caption between it and the text skipped): indices of the block's lines}.

    Such a block heads an item whether or not a lead follows it (a paper that prints no dateline). A page whose
    paragraphs are all equally spaced has none, so its items are found by their leads and marks alone.
    """
    usual = usual_gap(lines)
    blocks: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if line.cont or i == banner or line.level == 3 or (i and not _apart(lines, i - 1, i, usual)):
            continue
        heads: list[int] = []
        k = i
        while (k < len(lines) and len(heads) < _MAX_BLOCK and not lines[k].cont and (k == i or not _apart(lines, k - 1, k, usual))
               and headline_like(lines[k].key) and match_lead(lines[k].key) is None and lines[k].level != 3):
            heads.append(k)
            k += 1
        while k < len(lines) and CAPTION.search(lines[k].key) and lines[k].no - lines[k - 1].no <= usual + 1:
            k += 1
        labels = [n for n, h in enumerate(heads) if is_label(lines[h].key)]
        heads = heads[labels[-1] :] if labels else heads  # above a section label is the page's header, not the title
        if heads and k < len(lines) and not headline_like(lines[k].key):
            blocks[k] = heads
    return blocks


def orphan_headlines(lines: list[Line]) -> set[int]:
    """Headline lines set apart by wider space than the page's paragraphs on both sides, with no text of their own
    (a title whose article was cut off): they belong to no article's body."""
    usual = usual_gap(lines)
    out = set()
    for i, line in enumerate(lines):
        if _apart(lines, i - 1, i, usual) and _apart(lines, i, i + 1, usual) and not line.cont and headline_like(line.key) and match_lead(line.key) is None:
            out.add(i)
    return out


def find_items(lines: list[Line], banner: int) -> list[Item]:
    """The items of a page in order; [] when it has no lead at all (then it is one plain article)."""
    items: list[Item] = []
    blocks = headline_blocks(lines, banner)
    for i, line in enumerate(lines):
        if line.cont or line.level == 3:
            continue
        lead = match_lead(line.key)
        floor = items[-1].anchor if items else -1
        if lead is None or lead.kind == "picture":
            continue
        if lead.kind == "photo":
            if i == 0:
                continue
            j = i - 1
            while j > 0 and not ends_sentence(lines[j - 1].key) and not _is_heading(lines[j - 1]) and not lines[j - 1].level:
                j -= 1
            heads: list[Line] = []
            if j > 0 and _is_heading(lines[j - 1]) and j - 1 > floor and j - 1 != banner:
                j -= 1
                heads = [lines[j]]
            items.append(Item("photo", j, i, heads, lead))
        elif lead.kind == "qa":
            item = _interview(lines, i, floor, banner)
            if item is not None:
                items.append(item)
        elif (heads := blocks.get(i)) and heads[0] > floor:
            items.append(Item("news", heads[0], i, [lines[h] for h in heads], lead))
        else:
            j = _headings_above(lines, i, floor, banner)
            items.append(Item("news", j, i, lines[j:i], lead))
    if items:
        items = _marked_titles(lines, items, banner)
        items = _blocked_titles(lines, items, blocks)
    return items


def _blocked_titles(lines: list[Line], items: list[Item], blocks: dict[int, list[int]]) -> list[Item]:
    """Add items headed by a headline block but printed with no lead (no 本报讯, no dateline)."""
    covered = {i for item in items for i in range(item.start, item.anchor + 1)}
    extra = [Item("news", heads[0], k, [lines[h] for h in heads], None)
             for k, heads in blocks.items() if not covered & {*heads, k}]
    return sorted(items + extra, key=lambda item: item.start)


def _interview(lines: list[Line], i: int, floor: int, banner: int) -> Item | None:
    """A Q&A interview starting at its first ``记者：`` turn: headings, a short introduction, then the turns."""
    k = i
    while k > floor + 1 and i - k < _MAX_INTRO and not _is_heading(lines[k - 1]) and not lines[k - 1].level:
        k -= 1
    if k == 0 or not _is_heading(lines[k - 1]) or _TURN.match(lines[k - 1].key):
        return None
    j = _headings_above(lines, k, floor, banner)
    if j == k or not _closed(lines, j):
        return None
    return Item("news", j, k, lines[j:k], None)


def _marked_titles(lines: list[Line], items: list[Item], banner: int) -> list[Item]:
    """Add items that have a ``#``/``##`` title over their text but no lead of their own."""
    taken = {id(h) for item in items for h in item.headings} | {item.anchor for item in items}
    starts = {item.start for item in items}
    extra: list[Item] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.level not in (1, 2) or i == banner or id(line) in taken or i in starts or not _closed(lines, i):
            i += 1
            continue
        k = i
        while k < len(lines) and k - i < _MAX_HEADINGS and _is_heading(lines[k]) and id(lines[k]) not in taken:
            k += 1
        if k < len(lines) and k > i and not _is_heading(lines[k]) and lines[k].level != 3 and match_lead(lines[k].key) is None:
            extra.append(Item("news", i, k, lines[i:k], None))
        i = max(k, i + 1)
    return sorted(items + extra, key=lambda item: item.start)
