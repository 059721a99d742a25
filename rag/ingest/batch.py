"""Documents → new articles (with their places) → chunks, tokens and sentence keys: the pure part of one ingest,
before anything is embedded or written. Every input file gets a :class:`PageResult` that accounts for its text."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from rag.errors import RagError
from rag.types import Article, Chunk, SentenceKey

from .chunking import chunk_article
from .gazetteer import find_organisations, find_places
from .pages import PageText
from .parse import TextAccount, parse_report
from .places import counties, find_regions, with_parents
from .readers import Document
from .sentences import article_sentences
from .textnorm import to_simplified

log = logging.getLogger(__name__)


#: below this share of a file's text in articles, the report carries a warning
WARN_KEPT_SHARE = 0.9


@dataclass(frozen=True)
class PageResult(TextAccount):
    """What happened to one input file: articles added, articles already indexed, or an error message; and how much
    of its text went into articles (``dropped`` lists the lines or rows that did not)."""

    source: str
    added: tuple[Article, ...] = ()
    duplicates: tuple[Article, ...] = ()
    error: str = ""
    encoding: str = ""
    kind: str = "page"
    chars_total: int = 0
    chars_kept: int = 0
    dropped: tuple[tuple[int, str], ...] = ()

    @property
    def warning(self) -> str:
        """Set when under 90% of the file's text landed in articles."""
        if self.error or self.kept_share >= WARN_KEPT_SHARE:
            return ""
        return (f"only {self.kept_share:.0%} of the text ({self.chars_kept} of {self.chars_total} characters) is in "
                f"articles; {len(self.dropped)} lines or rows went into none")


def with_places(article: Article) -> Article:
    """Fill ``regions`` (every level, with the province and city above) and ``districts`` (county level); and
    ``places`` (towns, streets) and ``organisations`` when parsing did not.

    >>> a = with_places(Article("x", "西湖区总工会举办技能大赛", "杭州市西湖区转塘街道的职工参加。", "p.txt"))
    >>> a.regions, a.districts, a.places
    (('浙江省', '杭州市', '西湖区', '转塘街道'), ('西湖区',), ('转塘街道',))
    >>> with_places(Article("y", "臺北市大安區舉辦職工運動會", "…", "tw.txt")).regions
    ('台湾省', '台北市', '大安区')
    """
    # names are matched on a Simplified copy (臺北市大安區 → 台北市 大安区); the article keeps its text as written
    text = to_simplified(f"{article.title}\n{article.subtitle}\n{article.body}")
    regions = with_parents(find_regions(text))
    # towns and streets by their suffix; '…地区' is left out of regions: mostly 亚太地区, 受灾地区, not a division
    towns = tuple(name for name in find_places(text) if name.endswith(("街道", "镇", "乡")))
    districts = tuple(dict.fromkeys((*article.districts, *counties(regions))))
    # rows of exports and HTML pages were not parsed: their towns and organisations are found here, as written
    written = f"{article.title}\n{article.subtitle}\n{article.body}"
    return replace(article, regions=tuple(dict.fromkeys((*regions, *towns))), districts=districts,
                   places=article.places or find_places(written),
                   organisations=article.organisations or find_organisations(written))


def as_document(page: PageText | Document) -> Document:
    """Page text is cut into articles here (parse_report); documents from readers come cut already."""
    if isinstance(page, Document):
        return page
    try:
        report = parse_report(page.text, page.source)
    except RagError as exc:
        return Document(page.source, encoding=page.encoding, error=exc.message)
    return Document(page.source, report.articles, page.encoding, "page", report.chars_total, report.chars_kept,
                    report.dropped)


@dataclass
class Batch:
    results: list[PageResult] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    tokens: list[list[str]] = field(default_factory=list)
    sentences: list[SentenceKey] = field(default_factory=list)


def prepare(pages: Iterable[PageText | Document], known_ids: set[str], tokenizer: Callable[[str], list[str]],
            chunk_size: int, chunk_overlap: int) -> Batch:
    """Parse, add places, deduplicate (against the index and within the batch), chunk and tokenise. Pure but for
    logging."""
    batch = Batch()
    seen = set(known_ids)
    for page in pages:
        doc = as_document(page)
        if doc.error or not doc.articles:
            error = doc.error or f"{doc.source}: no article found."
            batch.results.append(PageResult(doc.source, error=error, encoding=doc.encoding, kind=doc.kind))
            continue
        added, dups = [], []
        for a in doc.articles:  # an article printed twice on one page is added once
            (dups if a.id in seen else added).append(a)
            seen.add(a.id)
        added = [with_places(a) for a in added]
        result = PageResult(doc.source, tuple(added), tuple(dups), encoding=doc.encoding, kind=doc.kind,
                            chars_total=doc.chars_total, chars_kept=doc.chars_kept, dropped=doc.dropped)
        if result.warning:
            log.info("%s: %s", doc.source, result.warning)
        batch.results.append(result)
        for article in added:
            batch.articles.append(article)
            batch.sentences.extend(article_sentences(article))
            for chunk in chunk_article(article, chunk_size, chunk_overlap):
                batch.chunks.append(chunk)
                batch.tokens.append(tokenizer(chunk.indexed_text))
    return batch
