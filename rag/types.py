"""Domain objects (frozen dataclasses) and the one retrieval seam, :class:`Retriever`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Span = tuple[int, int]
SentenceKey = tuple[str, int, int]  # (article_id, start, end) into the article body


@dataclass(frozen=True)
class Article:
    """One news item cut out of a page. ``paragraphs`` are ``(start, end)`` offsets into ``body``."""

    id: str
    title: str
    body: str
    source: str
    kind: Literal["news", "photo"] = "news"
    subtitle: str = ""
    kicker: str = ""
    section: str = ""
    banner: str = ""
    reporters: tuple[str, ...] = ()
    correspondents: tuple[str, ...] = ()
    photo_credit: tuple[str, ...] = ()
    line_start: int = 0
    line_end: int = 0
    paragraphs: tuple[Span, ...] = ()
    districts: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    #: publication date as ISO ``YYYY-MM-DD`` (or ``YYYY-MM``), "" when unknown
    date: str = ""
    #: the paper or site that published it (``人民网``, ``新华社``), "" when unknown
    publisher: str = ""
    url: str = ""
    #: administrative divisions named or implied, every level (``浙江省``, ``杭州市``, ``西湖区``), canonical names
    regions: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        """Title and subtitle, the context given to the embedder and BM25 with every chunk."""
        return f"{self.title} {self.subtitle}".strip()


@dataclass(frozen=True)
class Chunk:
    """A window of an article body: ``text == article.body[start:end]``."""

    id: str
    article_id: str
    n: int
    text: str
    start: int
    end: int
    title: str
    heading: str
    source: str
    districts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    date: str = ""

    @property
    def indexed_text(self) -> str:
        """What the keyword and dense indexes see: heading as context, then the chunk."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its score (higher is better; comparable only within one retriever)."""

    chunk: Chunk
    score: float
    retriever: str = ""

    @property
    def chunk_id(self) -> str:
        return self.chunk.id

    @property
    def article_id(self) -> str:
        return self.chunk.article_id


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to chunks of articles in these districts/places (any administrative level), from these
    sources, and published within ``date_from``..``date_to`` (ISO dates, inclusive; "" for open)."""

    districts: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""

    def __bool__(self) -> bool:
        return bool(self.districts or self.sources or self.places or self.date_from or self.date_to)

    def accepts(self, chunk: Chunk) -> bool:
        if self.districts and not set(self.districts) & set(chunk.districts):
            return False
        if self.places and not set(self.places) & (set(chunk.regions) | set(chunk.districts)):
            return False
        if self.date_from and not (chunk.date and chunk.date[: len(self.date_from)] >= self.date_from):
            return False
        if self.date_to and not (chunk.date and chunk.date[: len(self.date_to)] <= self.date_to):
            return False
        return not (self.sources and chunk.source not in self.sources)


@dataclass(frozen=True)
class Citation:
    """Citation ``[n]``: the cited sentence ``snippet`` is ``article.body[start:end]`` inside chunk ``text``."""

    n: int
    article_id: str
    chunk_id: str
    title: str
    source: str
    text: str
    snippet: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Related:
    article_id: str
    title: str
    source: str
    score: float


@dataclass(frozen=True)
class Answer:
    answer: str
    answerable: bool
    question_used: str
    citations: tuple[Citation, ...] = ()
    related: tuple[Related, ...] = ()
    question_type: str = ""
    #: the answer span alone (``永顺镇总工会代表队``, ``2023年8月16日``) for typed questions, else None
    short_answer: str | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@runtime_checkable
class Retriever(Protocol):
    """The one retrieval seam: BM25, dense and hybrid retrievers all implement it."""

    name: str

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]: ...
