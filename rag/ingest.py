"""Documents → new articles (with their places) → chunks → tokens → vectors: the work of one ingest, before
anything is written. Every input file gets a :class:`PageResult` that accounts for its text."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from tqdm import tqdm

from embeddings.base import Embedder

from .chunking import chunk_article
from .errors import RagError
from .gazetteer import find_organisations, find_places
from .pages import PageText
from .parse import TextAccount, parse_report
from .places import counties, find_regions, with_parents
from .readers import Document
from .sentkeys import SentenceKey
from .sentvec import SentenceTable, article_sentences, sentence_text
from .textnorm import to_simplified
from .types import Article, Chunk

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


def length_batches(lengths: Sequence[int], max_chars: int, max_texts: int = 256) -> list[list[int]]:
    """Indices of texts in model batches: all texts sorted by length (across the whole call), cut so that a batch's
    padded size (its count × its longest text) stays within ``max_chars`` and its count within ``max_texts``.
    Short texts (sentences) then share few, wide forward passes and long ones (chunks) pad little.

    >>> length_batches([5, 100, 6, 90, 7], max_chars=200)
    [[0, 2, 4], [3, 1]]
    >>> length_batches([500], max_chars=200)   # a text longer than the budget gets a batch of its own
    [[0]]
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:  # ascending: the text being added is the longest so far
        if current and ((len(current) + 1) * lengths[i] > max_chars or len(current) >= max_texts):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def embed_texts(embedder: Embedder, texts: Sequence[str], batch_size: int = 16, progress: bool = True,
                desc: str = "embedding", batch_chars: int | None = None) -> np.ndarray:
    """Passage vectors, with a progress bar. Texts go to the model in batches of similar length
    (:func:`length_batches`) of at most ``batch_chars`` padded characters (default: ``batch_size`` texts of 1,024
    characters); the vectors come back in the order of ``texts``."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    prompt = len(embedder.passage_prompt)
    budget = batch_chars or batch_size * 1024
    bar = tqdm(total=len(texts), desc=desc, unit="text", disable=not progress or not texts)
    for rows in length_batches([prompt + len(t) for t in texts], budget):
        out[rows] = embedder.embed_documents([texts[i] for i in rows], batch_size=len(rows))
        bar.update(len(rows))
    bar.close()
    return out


def embed_chunks(embedder: Embedder, chunks: Sequence[Chunk], batch_size: int = 16, progress: bool = True) -> np.ndarray:
    """Passage vectors for chunks (heading + text)."""
    return embed_texts(embedder, [c.indexed_text for c in chunks], batch_size, progress, "embedding chunks")


def embed_sentences(embedder: Embedder, articles: Sequence[Article], keys: Sequence[SentenceKey],
                    batch_size: int = 16, progress: bool = True) -> SentenceTable:
    by_id = {a.id: a for a in articles}
    texts = [sentence_text(by_id[aid], a, b) for aid, a, b in keys]
    return SentenceTable.of(keys, embed_texts(embedder, texts, batch_size, progress, "embedding sentences"))
