"""Files of any supported format → :class:`Document` s to ingest (the I/O edge of ingest).

| suffix | what | articles |
|---|---|---|
| ``.txt``, ``.md`` (and anything else that is text) | a page of items or one plain article | cut by :func:`rag.ingest.parse.parse_report` |
| ``.jsonl``, ``.ndjson``, ``.json`` | JSON Lines, or a JSON array of objects | one per row (:mod:`rag.ingest.exports`) |
| ``.csv``, ``.tsv`` | a table with a header row | one per row |
| ``.html``, ``.htm`` | a news page saved from a browser | its main text (:mod:`rag.ingest._html`) |

Every document says how much of its text went into articles and which lines or rows did not, so nothing is lost
silently. Directories are walked (sorted) one file at a time and documents are yielded as they are read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError, PageError
from rag.types import Article

from .exports import export_rows, row_article
from .pages import decode_page, read_bytes
from .parse import TextAccount, parse_report

log = logging.getLogger(__name__)

PAGE_SUFFIXES = (".txt", ".md")
EXPORT_SUFFIXES = {".jsonl": "json", ".ndjson": "json", ".json": "json", ".csv": "csv", ".tsv": "tsv"}
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = (*PAGE_SUFFIXES, *EXPORT_SUFFIXES, *HTML_SUFFIXES)


@dataclass(frozen=True)
class Document(TextAccount):
    """One input file read into articles, with the accounting of its text (or the reason it yielded none)."""

    source: str
    articles: tuple[Article, ...] = ()
    encoding: str = ""
    kind: str = "page"  # page | export | html
    chars_total: int = 0
    chars_kept: int = 0
    dropped: tuple[tuple[int, str], ...] = ()  # (line or row number, text) of what went into no article
    error: str = ""


def kind_of(name: str, data: bytes = b"") -> str:
    """``page``, ``export:json|csv|tsv`` or ``html``: by suffix, else by a look at the first bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in EXPORT_SUFFIXES:
        return f"export:{EXPORT_SUFFIXES[suffix]}"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in PAGE_SUFFIXES:
        return "page"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if head.startswith(b"{"):
        return "export:json"
    return "page"


def _page(data: bytes, source: str) -> Document:
    page = decode_page(data, source)
    report = parse_report(page.text, source)
    return Document(source, report.articles, page.encoding, "page", report.chars_total, report.chars_kept,
                    report.dropped)


def _export(data: bytes, source: str, kind: str, fields: Mapping[str, str] | None) -> Document:
    text = decode_page(data, source, chinese=False)
    articles: list[Article] = []
    dropped: list[tuple[int, str]] = []
    total = kept = 0
    for row in export_rows(text.text, kind):
        total += row.chars
        if row.data is None:
            dropped.append((row.no, row.raw))
            continue
        try:
            articles.append(row_article(row.data, f"{source}#{row.no}", fields))
            kept += row.chars
        except PageError as exc:
            if fields and "no field" in exc.message:  # a --field naming a key the export lacks: a usage error
                raise PageError(f"{source}: {exc.message}") from None
            dropped.append((row.no, f"{exc.message} {row.raw[:80]}"))
    if not articles:
        reason = dropped[0][1] if dropped else "the export has no rows"
        raise PageError(f"{source}: no article in this export; row {dropped[0][0] if dropped else 0}: {reason}")
    return Document(source, tuple(articles), text.encoding, "export", total, kept, tuple(dropped))


def _html(data: bytes, source: str) -> Document:
    from lxml.etree import LxmlError

    from ._html import read_html

    try:
        page = read_html(data, source)
    except (LxmlError, ValueError) as exc:  # markup the parser gives up on
        raise PageError(f"{source}: cannot read this HTML page ({exc}).") from None
    return Document(source, (page.article,), page.encoding, "html", page.chars_total, page.chars_kept, page.dropped)


def read_data(data: bytes, source: str, fields: Mapping[str, str] | None = None, kind: str = "") -> Document:
    """Bytes of one file → a Document; a file that yields nothing is a Document with ``error`` set."""
    kind = kind or kind_of(source, data)
    try:
        if kind == "html":
            return _html(data, source)
        if kind.startswith("export:"):
            return _export(data, source, kind.split(":", 1)[1], fields)
        return _page(data, source)
    except PageError as exc:
        message = exc.message if exc.message.startswith(source) else f"{source}: {exc.message}"
        return Document(source, kind=kind.split(":")[0], error=message)


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, directories as their files of a supported format (sorted, not recursive)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            if skipped := [p.name for p in files if p.suffix.lower() not in SUFFIXES]:
                log.warning("%s: skipped %d file(s) of no supported format (%s): %s", path, len(skipped),
                            " ".join(SUFFIXES), ", ".join(skipped[:10]))
            yield from (p for p in files if p.suffix.lower() in SUFFIXES)
        elif path.exists():
            yield path
        else:
            raise InputError(f"{path}: no such file or directory")


def read_documents(path: str | Path, fields: Mapping[str, str] | None = None) -> Iterator[Document]:
    """Documents of a file or of the supported files in a directory, one at a time.

    >>> [d.source for d in read_documents("seeds/")][:1]                      # doctest: +SKIP
    ['000_9d99fd9dcb55520a.txt']
    """
    for file in expand_paths([path]):
        try:
            data = read_bytes(file)
        except PageError as exc:
            yield Document(file.name, error=exc.message)
            continue
        yield read_data(data, file.name, fields)
