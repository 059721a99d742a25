"""A page as lines, pure: heading marks read, text cleaned, furniture cut out (and remembered), and a Simplified
copy to detect structure on, so Traditional pages parse exactly like Simplified ones while the text is kept as
written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._headings import looks_like_title
from ._noise import lead_in_end, strip_noise
from .sentences import ends_sentence
from .textnorm import clean_line, has_traditional, to_simplified

# a run of spacing wider than one space: web exports separate paragraphs (and a title from its text) this way
_GAP = re.compile(r"[ \u3000\xa0]{2,}|[ \u3000\xa0]*\t[\s\u3000\xa0]*")


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number in the page file
    text: str  # cleaned text as written, markdown heading marks and furniture removed
    level: int  # number of leading '#' (0 for plain lines)
    key: str = ""  # the Simplified form structure is detected on (same length as text)
    cont: bool = False  # a later piece of the same file line (after a cut or a wide gap)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.text)


@dataclass(frozen=True)
class PageLines:
    lines: tuple[Line, ...]
    noise: tuple[tuple[int, str], ...]  # (line number, text) of furniture cut out of lines
    dates: tuple[tuple[int, str], ...]  # (line number, ISO date) named by lead-in timestamps
    chars_total: int  # characters of text on the page, markup and spacing aside


def _key(text: str) -> str:
    if not has_traditional(text):
        return text
    key = to_simplified(text)
    return key if len(key) == len(text) else text


def _pieces(raw: str, first_line: bool) -> list[str]:
    """Split a file line at wide gaps where the text before the gap ends a sentence or is a leading title."""
    parts = [clean_line(p) for p in _GAP.split(raw)]
    parts = [p for p in parts if p]
    out: list[str] = []
    for part in parts:
        title = first_line and len(out) == 1 and looks_like_title(out[0][lead_in_end(out[0]) :])
        if out and not ends_sentence(out[-1]) and not title:
            out[-1] = clean_line(f"{out[-1]} {part}")
        else:
            out.append(part)
    return out


def read_lines(text: str) -> PageLines:
    """Non-empty lines of a page, cut into pieces where furniture or a paragraph gap sits inside a line.

    >>> pl = read_lines("# 标题\\n\\n2023-08-16 17:26，正文：第一句。  第二句。")
    >>> [(x.no, x.text, x.level, x.cont) for x in pl.lines], pl.noise, pl.dates
    ([(1, '标题', 1, False), (3, '第一句。', 0, False), (3, '第二句。', 0, True)], ((3, '2023-08-16 17:26，正文：'),), ((3, '2023-08-16'),))
    """
    lines: list[Line] = []
    noise: list[tuple[int, str]] = []
    dates: list[tuple[int, str]] = []
    total = 0
    for no, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        level = len(stripped) - len(stripped.lstrip("#"))
        body = stripped.lstrip("#").strip()
        head = lead_in_end(_key(body))  # a timestamp may sit apart from its 正文： (wide gaps are cut later)
        pieces = [clean_line(body[:head])] if head else []
        body = body[head:].strip()
        if _GAP.search(body):
            pieces += _pieces(body, not lines)
        elif cleaned := clean_line(body):
            pieces.append(cleaned)
        first = True
        for piece in pieces:
            cut = strip_noise(piece, _key(piece))
            total += len(piece)
            noise.extend((no, d) for d in cut.dropped)
            if cut.date:
                dates.append((no, cut.date))
            for kept in cut.kept:
                lines.append(Line(no, kept, level, _key(kept), not first))
                first = False
            total -= len(piece) - sum(map(len, cut.kept)) - sum(map(len, cut.dropped))  # spacing around cuts
    return PageLines(tuple(lines), tuple(noise), tuple(dates), total)
