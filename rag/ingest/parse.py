"""Raw page text → :class:`~rag.types.Article` list, pure.

A page of any Chinese paper holds items that start at a lead (``本报讯（…）``, ``新华社…电``, ``本报记者 X``, a photo
credit, a Q&A interview — see :mod:`rag.ingest._leads`) under optional heading lines (kicker, title, subtitle; with or
without ``#``/``##``), ``###`` section labels, and perhaps a ``#`` page banner. A text with no lead at all is one
plain article (a web article, a ``# 标题`` wiki page). Paragraphs broken by column breaks (a line that does not end
a sentence) are joined back together. Structure is detected on a Simplified copy; text is stored as written.
Furniture (timestamps, ``原标题：``, editor notes, ads) is cut out and reported, like every line in no article.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass

from rag.errors import PageError
from rag.types import Article

from ._headings import HEAD_BULLETS, derived_title, looks_like_title, title_index
from ._items import Item, banner_index, find_items, orphan_headlines
from ._leads import CAPTION, INLINE_PHOTO, PHOTO_LINE, TAIL_PHOTO, parse_credits, quoted_publisher
from ._lines import Line, read_lines
from .gazetteer import find_districts, find_organisations, find_places
from .sentences import ends_sentence
from .textnorm import has_traditional, to_simplified

__all__ = ["PageParse", "article_id", "join_paragraphs", "parse_credits", "parse_page", "parse_report"]

log = logging.getLogger(__name__)

_FULL_DATE = re.compile(r"((?:19|20)\d\d)\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s?月\s?(\d{1,2})\s?日")
_MIN_PLAIN = 10  # characters a plain text needs, unless it ends a sentence, to count as an article


def join_paragraphs(lines: list[str]) -> list[str]:
    """Repair column breaks: a line that does not end a sentence continues on the next one.

    >>> join_paragraphs(["推动解决职", "工最关心的问题。", "新段落。"])
    ['推动解决职工最关心的问题。', '新段落。']

    A photo caption closes its paragraph: ``图：车辆驶出首末站。通讯员 李伟 摄`` is not continued by the next line.
    """
    paragraphs: list[str] = []
    for text in lines:
        if paragraphs and not ends_sentence(paragraphs[-1]) and not CAPTION.search(paragraphs[-1]):
            paragraphs[-1] += text
        else:
            paragraphs.append(text)
    return paragraphs


def article_id(title: str, body: str) -> str:
    """Stable id from content: the same article re-ingested from any page keeps its id."""
    key = unicodedata.normalize("NFKC", f"{title}\n{body}").encode("utf-8")
    return hashlib.sha1(key).hexdigest()[:16]


class TextAccount:
    """How much of an input's text went into articles: mixed into the dataclasses that carry ``chars_total`` and
    ``chars_kept`` (a parsed page, a read file, an ingested file's result)."""

    chars_total: int
    chars_kept: int

    @property
    def kept_share(self) -> float:
        return self.chars_kept / self.chars_total if self.chars_total else 1.0

    @property
    def dropped_chars(self) -> int:
        return self.chars_total - self.chars_kept


@dataclass(frozen=True)
class PageParse(TextAccount):
    """A page cut into articles, and what of its text went into none of them (nothing is dropped silently)."""

    articles: tuple[Article, ...]
    chars_total: int  # characters of the page's text (headings included, markup and spacing removed)
    chars_kept: int  # of those, in an article (title, headings, body)
    dropped: tuple[tuple[int, str], ...] = ()  # (line number, text): lines in no article, furniture cut from lines


def parse_page(text: str, source: str) -> list[Article]:
    """Cut a page into articles. Raises PageError when nothing article-like is found."""
    return list(parse_report(text, source).articles)


def parse_report(text: str, source: str) -> PageParse:
    """Articles of a page plus the accounting of kept and dropped text. Raises PageError when nothing is found."""
    page = read_lines(text)
    lines = list(page.lines)
    banner = banner_index(lines)
    items = find_items(lines, banner)
    if not items:
        items, banner = [_plain_item(lines, source)], -1
    page_date = _page_date(page.dates, lines, items)
    orphans = orphan_headlines(lines) if len(items) > 1 or not items[0].plain else set()
    articles: list[Article] = []
    used: set[int] = set()
    for n, item in enumerate(items):
        stop = items[n + 1].start if n + 1 < len(items) else len(lines)
        body_idx, texts, photo = _body(lines, item, stop, orphans)
        if not texts:
            log.warning("%s: item at line %d has no body; skipped", source, lines[item.anchor].no)
            continue
        used.update(range(item.start, item.start + len(item.headings)))
        used.update(body_idx)
        dates = [d for no, d in page.dates if lines[item.start].no <= no <= lines[max(body_idx)].no]
        month_day = item.lead.month_day if item.lead else ""
        date = dates[0] if dates else _lead_date(texts[0], month_day, page_date)
        articles.append(_article(lines, item, banner, texts, photo, source, date, body_idx))
    if not articles:
        raise PageError(f"{source}: no article found (no lead such as 本报讯…, no photo credit, no title + text).")
    sections = {a.section for a in articles}
    used.update(i for i, line in enumerate(lines) if line.level == 3 and line.text in sections)  # kept as metadata
    dropped = [(line.no, line.text) for i, line in enumerate(lines) if i not in used and i != banner]
    if banner >= 0:
        dropped.append((lines[banner].no, lines[banner].text))
    dropped += page.noise
    dropped.sort(key=lambda d: d[0])  # stable: a line's furniture stays in the order it was cut
    lost = sum(len(t) for _, t in dropped)
    return PageParse(tuple(articles), page.chars_total, page.chars_total - lost, tuple(dropped))


def _plain_item(lines: list[Line], source: str) -> Item:
    """A text with no lead: one article, titled by its first line when that reads like a title."""
    content = [i for i, line in enumerate(lines) if line.level != 3]
    if not content:
        raise PageError(f"{source}: no article found (no text besides headings and page furniture).")
    first = lines[content[0]]
    titled = len(content) >= 2 and (first.level in (1, 2) or looks_like_title(first.key)
                                    or _short_title(first, lines[content[1]]))
    body = content[1:] if titled else content
    text = "".join(lines[i].text for i in body)
    if len(text) < _MIN_PLAIN and not any(ends_sentence(lines[i].key) for i in body):
        raise PageError(f"{source}: no article found (no lead such as 本报讯…, and {len(text)} characters of text "
                        f"with no finished sentence are too little for an article).")
    return Item("news", content[0], body[0], [first] if titled else [], None, plain=True)


def _short_title(first: Line, after: Line) -> bool:
    """A name of one to three characters alone on the first line, a blank line below it ("蓍", "锦地罗"): the
    title of what follows, not the start of its first sentence.

    >>> _short_title(Line(1, "锦地罗", 0), Line(3, "锦地罗是茅膏菜科的植物。", 0))
    True
    >>> _short_title(Line(1, "本报", 0), Line(2, "讯", 0))
    False
    """
    name = first.key.strip()
    return after.no > first.no + 1 and not first.cont and 1 <= len(name) < 4 and name.isalnum()


def _body(lines: list[Line], item: Item, stop: int, orphans: set[int] = frozenset()) -> tuple[list[int], list[str], tuple[str, ...]]:
    """Line indices and paragraphs of an item's body, and any photo credit; ``orphans`` (titles with no text of
    their own, set apart by space) are no part of it.

    The byline stays at the head of the body and a photo credit becomes the body's last paragraph: they are part
    of what the paper printed, so questions such as "谁拍的" can be answered with a citation.
    """
    if item.kind == "photo":
        first = item.start + len(item.headings)
        texts = [line.text for line in lines[first : item.anchor]]
        idx = list(range(first, item.anchor + 1))
        return idx, [*join_paragraphs(texts), lines[item.anchor].text.strip("* ")], ()
    texts: list[str] = []
    idx: list[int] = []
    photo: tuple[str, ...] = ()
    credit = ""
    done: list[str] = []  # paragraphs closed whatever follows: a credit alone on its line, a subheading
    if item.lead is not None and item.lead.kind == "credit" and item.lead.end >= len(lines[item.anchor].key):
        done, idx = [lines[item.anchor].text], [item.anchor]
    for i in range(item.anchor + len(done), stop):
        line = lines[i]
        if line.level and item.plain:  # a plain text's own subheading
            done, texts = [*done, *join_paragraphs(texts), line.text], []
            idx.append(i)
            continue
        if line.level in (1, 3) and i > item.anchor:
            break
        if i in orphans and i > item.anchor:
            continue
        idx.append(i)
        text = line.text
        if m := INLINE_PHOTO.search(line.key):
            photo = parse_credits(text[m.start(1) : m.end(1)])[0]
            credit = text[m.start() :].strip().strip("*").strip()
            text = text[: m.start()]
        elif (m := PHOTO_LINE.match(line.key) or TAIL_PHOTO.search(line.key)) and (i > item.anchor or m.start()):
            photo = parse_credits(text[m.start(1) : m.end(1)])[0]
        if text:
            texts.append(text)
    return idx, [*done, *join_paragraphs(texts), *([credit] if credit else [])], photo


def _section(lines: list[Line], item: Item, banner: int) -> str:
    """The nearest ``###`` label above an item, unless a ``#`` heading (the item's own or one in between) closed it."""
    if any(h.level == 1 for h in item.headings) and not item.plain:
        return ""
    for line_index in range(item.start - 1, -1, -1):
        line = lines[line_index]
        if line.level == 3:
            return line.text
        if line.level == 1 and line_index != banner:
            return ""
    return ""


def _article(lines: list[Line], item: Item, banner: int, paragraphs: list[str], photo: tuple[str, ...], source: str,
             date: str, body_idx: list[int]) -> Article:
    lead = item.lead
    first = paragraphs[0]
    if item.kind == "news" and lead is not None:  # the lead paragraph: what follows the byline or credit
        first = paragraphs[0][lead.end :] or (paragraphs[1] if len(paragraphs) > 1 else "")
    # **bold** titles lose their marks, ■/● leaders their bullets
    heads = [h.text.strip("*").strip().lstrip(HEAD_BULLETS).strip() or h.text for h in item.headings]
    first_key = to_simplified(first) if has_traditional(first) else first
    idx = 0 if item.plain else title_index([h.key for h in item.headings], first_key)
    kicker, title, subtitle = (" ".join(heads[:idx]), heads[idx], " ".join(heads[idx + 1 :])) if heads else ("", "", "")
    if not title:
        title = derived_title(first, first_key)
    body = "\n".join(paragraphs)
    offsets, pos = [], 0
    for para in paragraphs:
        offsets.append((pos, pos + len(para)))
        pos += len(para) + 1
    credit, anchor = (lead.credit if lead else ""), lines[item.anchor]
    if credit and anchor.text != anchor.key and (at := anchor.key.find(credit)) >= 0:
        credit = anchor.text[at : at + len(credit)]  # names as written, not their Simplified form
    reporters, correspondents = parse_credits(credit)
    if item.kind == "photo":
        photo = reporters
    publisher = (lead.publisher if lead else "") or quoted_publisher(first_key)  # Simplified, as filters compare
    full = f"{title}\n{subtitle}\n{body}"
    return Article(
        id=article_id(title, body),
        title=title,
        body=body,
        source=source,
        kind=item.kind,  # type: ignore[arg-type]
        subtitle=subtitle,
        kicker=kicker,
        section=_section(lines, item, banner),
        banner=lines[banner].text if banner >= 0 else "",
        reporters=reporters,
        correspondents=correspondents,
        photo_credit=photo,
        line_start=lines[item.start].no,
        line_end=lines[max(body_idx)].no,
        paragraphs=tuple(offsets),
        districts=find_districts(full),
        places=find_places(full),
        organisations=find_organisations(full),
        date=date,
        publisher=publisher,
    )


def _lead_date(lead_paragraph: str, month_day: str, page_date: str) -> str:
    """An article's date when no timestamp was cut from it: a full date at the head of its lead, else a dateline's
    month and day with the page's year, else the page's date. "" when unknown.

    >>> _lead_date("2023年7月28日，会议召开。", "", ""), _lead_date("今天", "7月27日", "2023-08-01"), _lead_date("x", "7月27日", "")
    ('2023-07-28', '2023-07-27', '')
    """
    if m := _FULL_DATE.search(lead_paragraph[:40]):
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    if month_day:
        md = _MONTH_DAY.match(month_day)
        return f"{page_date[:4]}-{int(md.group(1)):02d}-{int(md.group(2)):02d}" if md and page_date else ""
    return page_date


def _page_date(dates: tuple[tuple[int, str], ...], lines: list[Line], items: list[Item]) -> str:
    """A date the page prints for itself: a timestamp cut from it, or a full date on a line above the first item."""
    if dates:
        return dates[0][1]
    for line in lines[: items[0].start] if items else []:
        if m := _FULL_DATE.search(line.key):
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return ""

