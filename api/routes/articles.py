"""``/api/articles``: list, read, upload (a page, an export or an HTML page) and delete articles.

Uploads are ``text/plain`` bodies or ``multipart/form-data`` with a ``file`` field; the format follows the file
name (``.txt``/``.md`` pages, ``.jsonl``/``.csv`` exports, ``.html`` pages) or the content. The response accounts
for the file's text: characters kept and dropped, the dropped lines, and a warning under 90% kept; a file that
yields no article is a 422 that says why. Writes need an API key. Ids are checked against the one shape they have
(16 lowercase hex digits) before anything else touches them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import StringConstraints
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from rag.errors import InputError, PageError, TooLargeError
from rag.ingest.batch import PageResult
from rag.ingest.exports import parse_fields
from rag.ingest.readers import kind_of, read_data
from rag.library import Library
from rag.types import Article, Chunk, Filters

from ..deps import LibraryDep, RateLimit, ReadAccess, SettingsDep, WriteAccess
from ..errors import UnsupportedMediaError
from ..responses import errors
from ..schemas import (
    ArticleDetail,
    ArticlePage,
    ArticleSummary,
    DeleteResponse,
    DroppedLine,
    IsoDate,
    ParsedArticle,
    UploadResponse,
)

router = APIRouter(prefix="/api/articles", tags=["articles"], dependencies=[RateLimit, ReadAccess],
                   responses=errors(401, 429, 503))

ID_PATTERN = "^[0-9a-f]{16}$"
_ID = re.compile(r"[0-9a-f]{16}", re.ASCII)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


async def valid_id(article_id: Annotated[str, Path(description="16 lowercase hex digits",
                                                  json_schema_extra={"pattern": ID_PATTERN})]) -> str:
    """Checked here rather than by ``Path(pattern=...)`` so that a malformed id is a 400, like other bad values."""
    if not _ID.fullmatch(article_id):
        raise InputError("article ids are 16 lowercase hexadecimal characters, e.g. 9d99fd9dcb55520a.")
    return article_id


ArticleId = Annotated[str, Depends(valid_id)]


def source_name(raw: str | None, data: bytes) -> str:
    """A page's source name: the base name of what the client gave (no directories), else one from its hash."""
    name = _UNSAFE.sub("", PurePosixPath((raw or "").replace("\\", "/")).name).strip()[:200]
    return name if name and name not in (".", "..") else f"upload-{hashlib.sha1(data).hexdigest()[:12]}.txt"


@router.get("", response_model=ArticlePage, summary="List articles (paged, filterable)", responses=errors(422))
async def list_articles(
    lib: LibraryDep,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int | None, Query(ge=0, description="instead of page: items to skip")] = None,
    limit: Annotated[int | None, Query(ge=1, le=500, description="instead of size")] = None,
    district: Annotated[list[str], Query(description="only articles mentioning this district")] = [],  # noqa: B006
    source: Annotated[list[str], Query(description="only articles from this file or publisher")] = [],  # noqa: B006
    place: Annotated[list[str], Query(description="only articles about this place, any level")] = [],  # noqa: B006
    since: Annotated[IsoDate | None, Query(description="published on or after (YYYY-MM-DD)")] = None,
    until: Annotated[IsoDate | None, Query(description="published on or before (YYYY-MM-DD)")] = None,
) -> ArticlePage:
    articles: list[Article] = list(lib.index.articles.values())
    filters = lib.resolve_filters(Filters(tuple(district), tuple(source), tuple(place), since or "", until or ""))
    if filters:
        articles = [a for a in articles if filters.accepts(_as_chunk(a))]
    articles.sort(key=_order)
    limit = limit if limit is not None else size
    offset = offset if offset is not None else (page - 1) * limit
    items = [ArticleSummary.of(a) for a in articles[offset : offset + limit]]
    return ArticlePage(total=len(articles), offset=offset, limit=limit, items=items)


def _order(article: Article) -> tuple[str, int, int, str]:
    """By file, then row (``news.jsonl#2`` before ``news.jsonl#10``), then place on the page."""
    file, _, row = article.source.partition("#")
    return file, int(row) if row.isdigit() else 0, article.line_start, article.id


def _as_chunk(article: Article) -> Chunk:
    """The fields a filter reads, so articles are filtered exactly as search hits are."""
    return Chunk(id=article.id, article_id=article.id, n=0, text="", start=0, end=0, title=article.title,
                 heading=article.heading, source=article.source, districts=article.districts,
                 regions=article.regions, date=article.date)


@router.get("/{article_id}", response_model=ArticleDetail, summary="One article with its full text",
            responses=errors(400, 404))
async def get_article(article_id: ArticleId, lib: LibraryDep) -> ArticleDetail:
    return ArticleDetail.of(lib.article(article_id))


async def _read_upload(request: Request, limit: int) -> tuple[bytes, str | None]:
    """(page bytes, file name) from a text/plain body or a multipart ``file`` field; at most ``limit`` bytes."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=8)
        try:
            unknown = sorted(set(form.keys()) - {"file"})
            if unknown:
                raise InputError(f"unknown form field(s) {', '.join(map(repr, unknown))}; send only 'file'.")
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InputError("the multipart upload has no file field named 'file'.")
            data, name = await upload.read(limit + 1), upload.filename
        finally:
            await form.close()
    elif ctype in ("text/plain", "application/octet-stream", ""):
        buffer = bytearray()
        async for part in request.stream():
            buffer += part
            if len(buffer) > limit:
                break
        data, name = bytes(buffer), None
    else:
        raise UnsupportedMediaError(f"cannot upload {ctype!r}; send the page as text/plain or as a multipart "
                                    "form field named 'file'.")
    if len(data) > limit:
        raise TooLargeError(f"the page is larger than {limit} bytes (RAG_MAX_UPLOAD_BYTES).")
    return data, name


MAX_DROPPED_LINES = 100
# the name starts with a character no strip() removes (not a space, not a control such as \x1d), so a value the
# schema admits is one parse_fields accepts
FieldPair = Annotated[str, StringConstraints(pattern=r"^\s*(title|date|publisher|url|body)\s*=\s*[^\s\x00-\x1f\x7f-\x9f].*$",
                                             max_length=200)]


def ingest_upload(lib: Library, data: bytes, source: str, fields: dict[str, str] | None = None,
                  given_name: str = "") -> PageResult:
    """Read (decoding and parsing are CPU work too) and ingest one file; visible to searches once this returns.
    The format follows the name the client gave; a body sent without one is recognised by its content."""
    (result,) = lib.ingest_pages([read_data(data, source, fields, kind_of(given_name, data))])
    return result


UPLOAD_DOC = {"requestBody": {"required": True, "content": {
    "text/plain": {"schema": {"type": "string", "minLength": 1}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "additionalProperties": False,
                                       "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@router.post("", response_model=UploadResponse, status_code=status.HTTP_201_CREATED, dependencies=[WriteAccess],
             summary="Upload a page (201 if articles were added, 200 if all were already indexed)",
             openapi_extra=UPLOAD_DOC, responses={200: {"model": UploadResponse, "description": "Nothing new"},
                                                  **errors(400, 403, 413, 415, 422)})
async def upload_page(
    request: Request, response: Response, lib: LibraryDep, settings: SettingsDep,
    source: Annotated[str | None, Query(max_length=200, description="source name (default: file name)")] = None,
    field: Annotated[list[FieldPair], Query(max_length=5, description="export column for a role: body=正文")] = [],  # noqa: B006
) -> UploadResponse:
    fields = parse_fields(field)
    data, filename = await _read_upload(request, settings.max_upload_bytes)
    given = source or filename or ""
    result = await run_in_threadpool(ingest_upload, lib, data, source_name(given, data), fields, given)
    if result.error:
        raise PageError(result.error)
    parsed = [ParsedArticle(id=a.id, title=a.title, status="added") for a in result.added]
    parsed += [ParsedArticle(id=a.id, title=a.title, status="duplicate") for a in result.duplicates]
    if not result.added:
        response.status_code = status.HTTP_200_OK
    dropped = [DroppedLine(line=no, text=text[:500]) for no, text in result.dropped[:MAX_DROPPED_LINES]]
    return UploadResponse(source=result.source, encoding=result.encoding, format=result.kind, articles=parsed,
                          added=[a.id for a in result.added], duplicates=[a.id for a in result.duplicates],
                          kept_chars=result.chars_kept, dropped_chars=result.dropped_chars, dropped_lines=dropped,
                          warning=result.warning or None)


@router.delete("/{article_id}", response_model=DeleteResponse, dependencies=[WriteAccess],
               summary="Remove an article from both indexes", responses=errors(400, 403, 404))
async def delete_article(article_id: ArticleId, lib: LibraryDep) -> DeleteResponse:
    article = await run_in_threadpool(lib.delete, article_id)
    return DeleteResponse(deleted=ArticleSummary.of(article))
