"""How a cited article is named to readers: like a newspaper reference, never by its file name.

>>> from rag.types import Article
>>> article_label(Article("a1", "密云区工匠学院成立", "…", "003_x.txt", publisher="北京日报", date="2023-07-28",
...                       section="第3版 要闻"))
'北京日报 · 2023年7月28日 · 第3版 要闻 · 《密云区工匠学院成立》'
>>> article_label(Article("a2", "体验插花艺术", "…", "003_x.txt"))
'《体验插花艺术》'
"""

from __future__ import annotations

import re

from rag.types import Article

SEPARATOR = " · "
#: a page banner longer than this is a slogan, not the name of a page, and stays out of the label
MAX_BANNER_CHARS = 16
UNTITLED = "（无标题报道）"

_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def format_date(date: str) -> str:
    """An ISO date as written in Chinese references; anything else unchanged.

    >>> format_date("2023-07-08"), format_date("2023-07"), format_date("")
    ('2023年7月8日', '2023年7月', '')
    """
    m = _DATE.match(date.strip())
    if not m:
        return date.strip()
    year, month, day = m.groups()
    return f"{year}年{int(month)}月" + (f"{int(day)}日" if day else "")


def page_name(article: Article) -> str:
    """The page banner when it is short enough to name a page (``江城晚报 第A05版``, not a slogan), then the
    section; one of them when it contains the other.

    >>> page_name(Article("a", "t", "b", "s", section="消费观察", banner="晚报 第A05版"))
    '晚报 第A05版 · 消费观察'
    >>> page_name(Article("a", "t", "b", "s", banner="深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面"))
    ''
    >>> page_name(Article("a", "t", "b", "s", section="第3版 要闻", banner="  要闻 "))
    '第3版 要闻'
    """
    section = " ".join(article.section.split())
    banner = " ".join(article.banner.split())
    if len(banner) > MAX_BANNER_CHARS:
        banner = ""
    if banner and section and (banner in section or section in banner):
        return max(banner, section, key=len)
    return SEPARATOR.join(p for p in (banner, section) if p)


def article_label(article: Article) -> str:
    """Publisher, date, page or section, and title, joined with `` · ``; the parts that are unknown are left out.

    The source file is never part of the label: it stays in the article's details.
    """
    title = " ".join(article.title.split())
    parts = [article.publisher.strip(), format_date(article.date), page_name(article), f"《{title}》" if title else UNTITLED]
    return SEPARATOR.join(p for p in parts if p)


def title_label(title: str) -> str:
    """The label when only the title is known (the article is no longer in the index).

    >>> title_label("体验插花艺术"), title_label("")
    ('《体验插花艺术》', '（无标题报道）')
    """
    title = " ".join(title.split())
    return f"《{title}》" if title else UNTITLED
