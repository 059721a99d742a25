"""Request and response models of the HTTP API (pydantic lives here, at the edge).

Requests forbid unknown fields, so a typo (``"qestion"``) is a 422 instead of a silently ignored field, and text that
is not valid Unicode (a lone UTF-16 surrogate such as ``"\\ud800"``, which JSON allows) is a 422 too, before it can
reach the tokeniser or a file. Value rules that depend on settings (question length, ``k`` range) are checked in
:mod:`api.checks` and answer 400; :mod:`api.openapi` writes them into the documented schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from rag.answer.labels import article_label, title_label
from rag.types import Answer, Article, Citation, Filters, Hit, Related


def has_lone_surrogate(value: object) -> bool:
    """True if any string in ``value`` (walking lists, dicts and models) cannot be encoded as UTF-8.

    >>> has_lone_surrogate({"a": ["ok", "\\ud800"]}), has_lone_surrogate("工会😀")
    (True, False)
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, BaseModel):
        value = list(value.__dict__.values())
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_lone_surrogate(v) for v in value)
    return False


class Request(BaseModel):
    """Strict: JSON types are taken as they are (``"stream": 0`` or ``"k": "5"`` is a 422, not coerced)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _valid_unicode(cls, value: object) -> object:
        if has_lone_surrogate(value):
            raise ValueError("text must be valid Unicode (found a lone surrogate such as \\ud800)")
        return value


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable, e.g. bad_request, rate_limited")
    message: str = Field(description="what went wrong and what to do, for people")


class ErrorOut(BaseModel):
    """Every error: ``{"error": {"code": "bad_request", "message": "k must be between 1 and 50, got 0."}}``"""

    error: ErrorDetail


def _whole(value: object) -> object:
    """JSON Schema counts ``5.0`` as an integer, so take it as 5 (but not ``5.5``, ``"5"`` or ``true``)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Count = Annotated[int, BeforeValidator(_whole)]
Label = Annotated[str, StringConstraints(max_length=200)]


ISO_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
IsoDate = Annotated[str, StringConstraints(pattern=ISO_DATE)]


class FiltersIn(Request):
    """``{"places": ["杭州市"], "sources": ["人民网"], "date_from": "2023-07-01", "date_to": "2023-08-31"}``"""

    districts: list[Label] = Field(default_factory=list, max_length=50, description="county-level names")
    sources: list[Label] = Field(default_factory=list, max_length=50,
                                 description="a file name (all its rows), a file row (news.jsonl#3) or a publisher")
    places: list[Label] = Field(default_factory=list, max_length=50,
                                description="divisions at any level: 浙江省, 杭州市, 西湖区, 转塘街道")
    date_from: IsoDate | None = Field(None, description="published on or after (YYYY, YYYY-MM or YYYY-MM-DD)")
    date_to: IsoDate | None = Field(None, description="published on or before (inclusive)")

    def to_domain(self) -> Filters:
        return Filters(tuple(self.districts), tuple(self.sources), tuple(self.places), self.date_from or "",
                       self.date_to or "")


def filters_of(filters: FiltersIn | None) -> Filters | None:
    return filters.to_domain() if filters else None


class SearchRequest(Request):
    query: str = Field(description="what to look for, in words")
    k: Count = Field(5, description="number of hits, 1..RAG_MAX_K")
    retriever: Literal["hybrid", "bm25", "dense"] | None = Field(None, description="default: RAG_RETRIEVER")
    filters: FiltersIn | None = None


class HitOut(BaseModel):
    chunk_id: str
    article_id: str
    title: str
    text: str
    score: float
    source: str
    start: int
    end: int

    @classmethod
    def of(cls, hit: Hit) -> HitOut:
        c = hit.chunk
        return cls(chunk_id=c.id, article_id=c.article_id, title=c.title, text=c.text, score=hit.score,
                   source=c.source, start=c.start, end=c.end)


class SearchResponse(BaseModel):
    hits: list[HitOut]


class Turn(Request):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class AskRequest(Request):
    question: str = Field(description="the question, 1..RAG_MAX_QUESTION_CHARS characters")
    history: list[Turn] = Field(default_factory=list, max_length=50, description="earlier turns, oldest first")
    k: Count | None = Field(None, description="chunks to read, 1..RAG_MAX_K (default RAG_ANSWER_K)")
    filters: FiltersIn | None = None
    stream: bool = Field(False, description="stream server-sent events (same as Accept: text/event-stream)")


def label_of(article_id: str, title: str, articles: Mapping[str, Article] | None) -> str:
    """The reader-facing reference of an article (:func:`rag.answer.labels.article_label`), from its title alone when the
    article is not in ``articles`` (deleted meanwhile, or no index given)."""
    article = articles.get(article_id) if articles is not None else None
    return article_label(article) if article is not None else title_label(title)


class CitationOut(BaseModel):
    """``text`` is the whole cited chunk, ``snippet`` the cited sentence (``body[start:end]``); ``label`` names the
    article as a reference (publisher · date · page · 《title》), ``source`` is the file it came from."""

    n: int
    article_id: str
    chunk_id: str
    title: str
    label: str = Field(description="publisher · date · page/section · 《title》, the parts that are known")
    source: str
    text: str
    snippet: str
    start: int
    end: int
    score: float

    @classmethod
    def of(cls, citation: Citation, articles: Mapping[str, Article] | None = None) -> CitationOut:
        label = label_of(citation.article_id, citation.title, articles)
        return cls.model_validate(asdict(citation) | {"label": label})


class RelatedOut(BaseModel):
    article_id: str
    title: str
    label: str = Field(description="as in citations")
    source: str
    score: float

    @classmethod
    def of(cls, related: Related, articles: Mapping[str, Article] | None = None) -> RelatedOut:
        label = label_of(related.article_id, related.title, articles)
        return cls.model_validate(asdict(related) | {"label": label})


class AskResponse(BaseModel):
    answer: str
    answerable: bool
    question_used: str
    question_type: str
    short_answer: str | None = Field(None, description="the answer span alone (a date, a number, a name) for a "
                                     "typed question, else null")
    citations: list[CitationOut]
    related: list[RelatedOut]

    @classmethod
    def of(cls, answer: Answer, articles: Mapping[str, Article] | None = None) -> AskResponse:
        """``articles`` (the index's, by id) give the citations their labels."""
        return cls(answer=answer.answer, answerable=answer.answerable, question_used=answer.question_used,
                   question_type=answer.question_type, short_answer=answer.short_answer,
                   citations=[CitationOut.of(c, articles) for c in answer.citations],
                   related=[RelatedOut.of(r, articles) for r in answer.related])


class ArticleSummary(BaseModel):
    id: str
    title: str
    subtitle: str
    source: str
    kind: str
    date: str = Field(description="ISO date, or empty when unknown")
    publisher: str
    districts: list[str]
    regions: list[str] = Field(description="divisions at every level, with the province and city above")
    reporters: list[str]
    line_start: int
    line_end: int

    @classmethod
    def of(cls, article: Article) -> ArticleSummary:
        return cls.model_validate(asdict(article))


class ArticleDetail(ArticleSummary):
    """Everything known about an article; ``paragraphs`` are ``[start, end]`` offsets into ``body``."""

    body: str
    # a pair as a 2-item list of ints: the tuple form's prefixItems trips up some OpenAPI 3.1 tools (schemathesis)
    paragraphs: list[Annotated[list[int], Field(min_length=2, max_length=2)]]
    kicker: str
    section: str
    banner: str
    correspondents: list[str]
    photo_credit: list[str]
    places: list[str]
    organisations: list[str]
    url: str

    @classmethod
    def of(cls, article: Article) -> ArticleDetail:
        return cls.model_validate(asdict(article))


class ArticlePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[ArticleSummary]


class ParsedArticle(BaseModel):
    id: str
    title: str
    status: Literal["added", "duplicate"]


class DroppedLine(BaseModel):
    line: int = Field(description="line (pages, HTML text) or row (exports) number")
    text: str


class UploadResponse(BaseModel):
    source: str
    encoding: str
    format: str = Field(description="page, export or html")
    articles: list[ParsedArticle]
    added: list[str] = Field(description="ids of the articles now in the index")
    duplicates: list[str] = Field(description="ids of the articles that were already indexed")
    kept_chars: int = Field(description="characters of the file's text that are in articles")
    dropped_chars: int = Field(description="characters in no article (layout, boilerplate, unusable rows)")
    dropped_lines: list[DroppedLine] = Field(description="the lines or rows in no article (at most 100)")
    warning: str | None = Field(None, description="set when under 90% of the text landed in articles")


class DeleteResponse(BaseModel):
    deleted: ArticleSummary


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    articles: int
    chunks: int
    model: str
    dim: int
    version: str | None
