"""Raw page text → :class:`~rag.types.Article` list, pure.

A page holds normal news (optional kicker, title, optional subtitle, then a ``本报讯（记者 …）`` byline) and photo
news (optional short caption, one paragraph, then ``本报记者 … 摄影报道``). ``#`` lines are page banners, ``###``
lines section kickers; titles come with or without ``##``. Paragraphs broken by column breaks (a line that does not
end a sentence) are joined back together.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass

from .errors import PageError
from .gazetteer import find_districts, find_organisations, find_places, mentions_entity
from .sentences import ends_sentence
from .textnorm import clean_line
from .types import Article

log = logging.getLogger(__name__)

_BYLINE = re.compile(r"^本报讯\s*(?:[（(]([^）)]{0,60})[）)])?\s*")
_PHOTO_LINE = re.compile(r"^\**\s*本报记者\s*(.+?)\s*摄(?:影报道)?\s*\**$")
_INLINE_PHOTO = re.compile(r"\s*\*\*\s*本报记者\s*(.+?)\s*摄(?:影报道)?\s*\*\*\s*$")
_ROLES = ("特约记者", "实习记者", "记者", "通讯员")
_LEADING_TIME = re.compile(r"^(?:近日|日前|连日来|近期|今年\d*月?|\d+月\d+日)[，,]")
_MAX_HEADING = 48


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number in the page file
    text: str  # cleaned text, markdown heading marks removed
    level: int  # number of leading '#' (0 for plain lines)


def _lines(text: str) -> list[Line]:
    out = []
    for no, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        level = len(stripped) - len(stripped.lstrip("#"))
        body = clean_line(stripped.lstrip("#").strip())
        if body:
            out.append(Line(no, body, level))
    return out


def _heading_like(line: Line) -> bool:
    """A line that can be a title/kicker/subtitle/caption: marked ``##``, or short with no sentence punctuation."""
    if line.level == 2:
        return True
    if line.level or _BYLINE.match(line.text) or _PHOTO_LINE.match(line.text):
        return False
    text = line.text
    return len(text) <= _MAX_HEADING and not ends_sentence(text) and not re.search(r"[，。；]", text)


def parse_credits(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Reporters and correspondents from a byline credit.

    >>> parse_credits("记者 任洁 通讯员 高若晨 刘玉娟")
    (('任洁',), ('高若晨', '刘玉娟'))
    """
    reporters: list[str] = []
    correspondents: list[str] = []
    role = "记者"
    for token in re.split(r"[\s、，,]+", text.strip()):
        for name in _ROLES:
            if token.startswith(name):
                role, token = name, token[len(name) :]
                break
        if token:
            (correspondents if role == "通讯员" else reporters).append(token)
    return tuple(reporters), tuple(correspondents)


def join_paragraphs(lines: list[str]) -> list[str]:
    """Repair column breaks: a line that does not end a sentence continues on the next one.

    >>> join_paragraphs(["推动解决职", "工最关心的问题。", "新段落。"])
    ['推动解决职工最关心的问题。', '新段落。']
    """
    paragraphs: list[str] = []
    for text in lines:
        if paragraphs and not ends_sentence(paragraphs[-1]):
            paragraphs[-1] += text
        else:
            paragraphs.append(text)
    return paragraphs


def _assign_headings(lines: list[Line]) -> tuple[str, str, str]:
    """(kicker, title, subtitle): the title is the first heading naming an actor, else the ``##`` one, else the first.

    >>> _assign_headings([Line(1, "坚持典型带动 健全工作机制", 0), Line(2, "顺义区总工会推动集体协商", 2)])
    ('坚持典型带动 健全工作机制', '顺义区总工会推动集体协商', '')
    """
    if not lines:
        return "", "", ""
    texts = [line.text for line in lines]
    idx = next((i for i, t in enumerate(texts) if mentions_entity(t)), None)
    if idx is None:
        idx = next((i for i, line in enumerate(lines) if line.level == 2), 0)
    return " ".join(texts[:idx]), texts[idx], " ".join(texts[idx + 1 :])


def _derived_title(paragraph: str) -> str:
    """A title for uncaptioned photo news: its first clause, without a leading time phrase."""
    text = _LEADING_TIME.sub("", paragraph)
    return re.split(r"[，。；！？]", text, maxsplit=1)[0][:40]


def article_id(title: str, body: str) -> str:
    """Stable id from content: the same article re-ingested from any page keeps its id."""
    key = unicodedata.normalize("NFKC", f"{title}\n{body}").encode("utf-8")
    return hashlib.sha1(key).hexdigest()[:16]


@dataclass
class _Item:
    kind: str
    start: int  # index into lines of the first heading/body line
    anchor: int  # index of the byline (news) or the credit line (photo)
    headings: list[Line]
    credit: str


def _find_items(lines: list[Line]) -> list[_Item]:
    items: list[_Item] = []
    for i, line in enumerate(lines):
        if _BYLINE.match(line.text):
            j = i
            while j > 0 and len(lines[j:i]) < 3 and _heading_like(lines[j - 1]) and (not items or j - 1 > items[-1].anchor):
                j -= 1
            items.append(_Item("news", j, i, lines[j:i], (_BYLINE.match(line.text).group(1) or "")))
        elif (m := _PHOTO_LINE.match(line.text)) and i > 0:
            j = i - 1
            while j > 0 and not ends_sentence(lines[j - 1].text) and not _heading_like(lines[j - 1]) and not lines[j - 1].level:
                j -= 1
            heads = []
            if j > 0 and _heading_like(lines[j - 1]) and (not items or j - 1 > items[-1].anchor):
                j -= 1
                heads = [lines[j]]
            items.append(_Item("photo", j, i, heads, m.group(1)))
    return items


def _body_lines(lines: list[Line], item: _Item, stop: int) -> tuple[list[str], tuple[str, ...], int]:
    """Body texts of an item, any inline photo credit, and the item's last line number.

    The byline stays at the head of the body and a photo credit becomes the body's last paragraph: they are part
    of what the paper printed, so questions such as "谁拍的" can be answered with a citation.
    """
    if item.kind == "photo":
        first = item.start + len(item.headings)
        texts = [line.text for line in lines[first : item.anchor]]
        return [*join_paragraphs(texts), lines[item.anchor].text.strip("* ")], (), lines[item.anchor].no
    texts: list[str] = []
    photo: tuple[str, ...] = ()
    credit = ""
    last = lines[item.anchor].no
    for line in lines[item.anchor : stop]:
        if line.level in (1, 3):
            break
        last = line.no
        text = line.text
        if m := _INLINE_PHOTO.search(text):
            photo = parse_credits(m.group(1))[0]
            credit = m.group(0).strip().strip("*").strip()
            text = text[: m.start()]
        if text:
            texts.append(text)
    return [*join_paragraphs(texts), *([credit] if credit else [])], photo, last


@dataclass(frozen=True)
class PageParse:
    """A page cut into articles, and what of its text went into none of them (nothing is dropped silently)."""

    articles: tuple[Article, ...]
    chars_total: int  # characters on the page's non-empty lines (headings included, markup removed)
    chars_kept: int  # of those, on lines that went into an article
    dropped: tuple[tuple[int, str], ...] = ()  # (line number, text) of lines in no article

    @property
    def kept_share(self) -> float:
        return self.chars_kept / self.chars_total if self.chars_total else 1.0


def parse_report(text: str, source: str) -> PageParse:
    """:func:`parse_page` plus the accounting of kept and dropped text. Raises PageError when nothing is found."""
    articles = parse_page(text, source)
    lines = _lines(text)
    covered = [(a.line_start, a.line_end) for a in articles]
    kept, dropped = 0, []
    for line in lines:
        if any(a <= line.no <= b for a, b in covered):
            kept += len(line.text)
        else:
            dropped.append((line.no, line.text))
    total = sum(len(line.text) for line in lines)
    return PageParse(tuple(articles), total, kept, tuple(dropped))


def parse_page(text: str, source: str) -> list[Article]:
    """Cut a page into articles. Raises PageError when nothing article-like is found."""
    lines = _lines(text)
    items = _find_items(lines)
    if not items:
        items = _fallback_item(lines, source)
    banner = next((line.text for line in lines if line.level == 1), "")
    articles: list[Article] = []
    for n, item in enumerate(items):
        stop = items[n + 1].start if n + 1 < len(items) else len(lines)
        section = next((line.text for line in reversed(lines[: item.start]) if line.level == 3), "")
        paragraphs, photo, last = _body_lines(lines, item, stop)
        if not paragraphs:
            log.warning("%s: item at line %d has no body; skipped", source, lines[item.anchor].no)
            continue
        kicker, title, subtitle = _assign_headings(item.headings)
        if not title:
            title = _derived_title(_BYLINE.sub("", paragraphs[0]))
        body = "\n".join(paragraphs)
        offsets, pos = [], 0
        for para in paragraphs:
            offsets.append((pos, pos + len(para)))
            pos += len(para) + 1
        reporters, correspondents = parse_credits(item.credit)
        if item.kind == "photo":
            photo = reporters
        full = f"{title}\n{subtitle}\n{body}"
        articles.append(
            Article(
                id=article_id(title, body),
                title=title,
                body=body,
                source=source,
                kind=item.kind,  # type: ignore[arg-type]
                subtitle=subtitle,
                kicker=kicker,
                section=section,
                banner=banner,
                reporters=reporters,
                correspondents=correspondents,
                photo_credit=photo,
                line_start=lines[item.start].no,
                line_end=last,
                paragraphs=tuple(offsets),
                districts=find_districts(full),
                places=find_places(full),
                organisations=find_organisations(full),
            )
        )
    return articles


def _fallback_item(lines: list[Line], source: str) -> list[_Item]:
    """A page with no byline or photo credit: one article if it has a heading and sentence-ending text."""
    body = [i for i, line in enumerate(lines) if not line.level or line.level == 2]
    if len(body) >= 2 and _heading_like(lines[body[0]]) and any(ends_sentence(lines[i].text) for i in body[1:]):
        return [_Item("news", body[0], body[0] + 1, [lines[body[0]]], "")]
    raise PageError(f"{source}: no article found (no byline 本报讯…, no photo credit, no title + text).")
