"""An index over a :class:`~rag.answer.fitdata.FitSet`'s documents, built once and reused (I/O edge)."""

from __future__ import annotations

import logging
from pathlib import Path

from rag.config import Settings
from rag.library import Library
from rag.types import Article

from .fitdata import FitSet

log = logging.getLogger(__name__)


def _paragraphs(text: str) -> tuple[tuple[int, int], ...]:
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return tuple(spans)


def open_fit_index(data: FitSet, index_dir: Path, settings: Settings | None = None) -> Library:
    """A library over ``index_dir`` holding every document of ``data`` (only missing ones are added)."""
    base = settings or Settings()
    lib = Library.open(base.model_copy(update={"index_dir": index_dir, "progress": False}))
    articles = [Article(id=doc_id, title=title, body=text, source=data.name, paragraphs=_paragraphs(text))
                for doc_id, (title, text) in data.documents.items() if doc_id not in lib.index.articles]
    if articles:
        # the evaluation's own BEIR ingest: one way to index documents
        from eval.corpus import ingest_documents
        from eval.dataset import Dataset, Document

        docs = {a.id: Document(a.id, a.title, a.body, {"source": data.name}) for a in articles}
        ingest_documents(lib, Dataset(data.name, docs, {}, {}))
        log.info("indexed %d documents of %s into %s", len(articles), data.name, index_dir)
    return lib
