"""Page furniture around news text — crawl timestamps, ``正文：``, ``原标题：``, editor notes, ads — found and cut
out of a line, pure. The patterns are data (``rag/ingest/data/page_noise.toml``); what is cut is returned so the caller can
report it as dropped: nothing leaves an article silently.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).parent / "data" / "page_noise.toml"


@dataclass(frozen=True)
class Patterns:
    lead_in: tuple[re.Pattern[str], ...]
    inline: tuple[re.Pattern[str], ...]
    line: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=1)
def patterns() -> Patterns:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    return Patterns(*(tuple(re.compile(p) for p in data.get(key, [])) for key in ("lead_in", "inline", "line")))


@dataclass(frozen=True)
class Stripped:
    """A line with its furniture cut out: ``kept`` pieces in order (a cut splits the line), ``dropped`` pieces."""

    kept: tuple[str, ...]
    dropped: tuple[str, ...]
    date: str = ""  # ISO date named by a lead-in timestamp


def strip_noise(text: str, key: str | None = None) -> Stripped:
    """Cut furniture out of one line. ``key`` is the form matched (the Simplified copy), offsets shared with ``text``.

    >>> s = strip_noise("2023-08-16 17:26，正文：原标题：好消息 今天开幕。返回搜狐，查看更多")
    >>> s.kept, s.dropped, s.date
    (('好消息 今天开幕。',), ('2023-08-16 17:26，正文：', '原标题：', '返回搜狐，查看更多'), '2023-08-16')
    """
    key = text if key is None or len(key) != len(text) else key
    pats = patterns()
    if any(p.search(key) for p in pats.line):
        return Stripped((), (text,) if text else ())
    cuts: list[tuple[int, int]] = []
    date = ""
    pos = 0
    for _ in range(4):  # a timestamp, then 正文：, then 原标题：… in any order at the start
        for pat in pats.lead_in:
            m = pat.match(key[pos:])  # patterns are anchored with ^, which only holds at a string's start
            if m and m.end():
                if not date and "y" in pat.groupindex and m.group("y"):
                    date = f"{int(m.group('y')):04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"
                cuts.append((pos, pos + m.end()))
                pos += m.end()
                break
        else:
            break
    for pat in pats.inline:
        for m in pat.finditer(key, pos):
            if m.end() > m.start():
                cuts.append(m.span())
    cuts = _merge(cuts)
    kept, dropped, last = [], [], 0
    for a, b in cuts:
        if text[last:a].strip():
            kept.append(text[last:a].strip())
        dropped.append(text[a:b].strip())
        last = b
    if text[last:].strip():
        kept.append(text[last:].strip())
    return Stripped(tuple(kept), tuple(d for d in dropped if d), date)


def lead_in_end(text: str) -> int:
    """Where the text proper starts, after any lead-in furniture at the head of a line.

    >>> text = "2023-08-16 17:26，正文：原标题：好消息"
    >>> text[lead_in_end(text) :]
    '好消息'
    """
    pos = 0
    for _ in range(4):
        for pat in patterns().lead_in:
            m = pat.match(text[pos:])
            if m and m.end():
                pos += m.end()
                break
        else:
            break
    return pos


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out
