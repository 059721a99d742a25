"""A news page saved from a browser (HTML) → one :class:`~rag.types.Article`, with trafilatura.

trafilatura (maintained, Apache-2.0, on lxml) finds the main text, the title, the date (via htmldate: ``<meta>``
tags, JSON-LD, the URL, the visible text) and the site name; hand-written tag stripping would keep menus, related
links and footers. Everything of the page's visible text that does not land in the article (navigation, related
links, copyright lines) is reported as dropped, line by line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from rag.errors import PageError
from rag.types import Article

from .exports import derive_title, normalise_date
from .parse import article_id

log = logging.getLogger(__name__)

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.IGNORECASE)
#: labels pages declare that Python knows by a wider name (GB2312 pages often hold GBK characters)
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}


@dataclass(frozen=True)
class HtmlPage:
    article: Article
    encoding: str
    chars_total: int
    chars_kept: int
    dropped: tuple[tuple[int, str], ...]


def decode_html(data: bytes, source: str) -> tuple[str, str]:
    """(text, encoding): a BOM first, then the page's own ``<meta charset>``, then UTF-8, then GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    candidates = []
    if m := _CHARSET.search(data[:4096]):
        label = m.group(1).decode("ascii").lower()
        candidates.append(_WIDER.get(label, label))
    candidates += ["utf-8", "gb18030"]
    for encoding in dict.fromkeys(candidates):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    raise PageError(f"{source}: cannot decode this HTML page (tried its declared charset, UTF-8 and GB18030).")


_BLOCKS = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th", "table",
           "section", "article", "header", "footer", "nav", "aside", "blockquote", "pre", "dd", "dt", "figcaption")


def _visible_lines(html: str) -> list[str]:
    """The page's visible text, one line per block element (what a reader sees, menus and footers included)."""
    from lxml import html as lxml_html
    from lxml.etree import ParserError

    try:
        tree = lxml_html.document_fromstring(html)
    except (ParserError, ValueError):
        return []
    for node in tree.xpath("//script|//style|//noscript|//head|//template"):
        node.drop_tree()
    for node in tree.iter(*_BLOCKS):
        node.text = "\n" + (node.text or "")
        node.tail = "\n" + (node.tail or "")
    return [line.strip() for line in tree.text_content().split("\n") if line.strip()]


def _date(html: str, lines: list[str], head: int = 30) -> str:
    """The publication date: from the page's markup (meta tags, JSON-LD, ``<time>``, the URL) by htmldate, else the
    first full date written near the top of the visible text (``发布时间：2023年08月16日``). htmldate's own search of
    the text is not used: on Chinese pages it reads ``2023年08月16日`` as 2023-01-01."""
    from htmldate import find_date

    found = find_date(html, extensive_search=False, original_date=True)
    if found:
        return normalise_date(found)
    return next((iso for line in lines[:head] if len(iso := normalise_date(line)) == 10), "")


def read_html(data: bytes, source: str) -> HtmlPage:
    """Extract the article of a saved news page; PageError when the page has no main text."""
    import trafilatura

    html, encoding = decode_html(data, source)
    lines = _visible_lines(html)
    # precision over recall: on short pages the default falls back to keeping link lists (menus) as text
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=True,
                                      favor_precision=True)
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise PageError(f"{source}: no article text found in this HTML page (only navigation or markup).")
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    title = (doc.title or "").strip()
    if title in paragraphs[:3] and len(paragraphs) > 1:  # the page's <h1> inside the article: it is the title
        paragraphs.remove(title)
    body = "\n".join(paragraphs)
    offsets, pos = [], 0
    for para in paragraphs:
        offsets.append((pos, pos + len(para)))
        pos += len(para) + 1
    title = title or derive_title(body)
    article = Article(id=article_id(title, body), title=title, body=body, source=source, paragraphs=tuple(offsets),
                      date=_date(html, lines), publisher=(doc.sitename or doc.hostname or "").strip(),
                      url=(doc.url or "").strip())
    kept_text = f"{title}\n{body}"
    total, dropped = 0, []
    for no, line in enumerate(lines, start=1):
        total += len(line)
        if line not in kept_text:
            dropped.append((no, line))
    lost = sum(len(line) for _, line in dropped)
    return HtmlPage(article, encoding, total, total - lost, tuple(dropped))
