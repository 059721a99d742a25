"""The index an evaluation runs against: the seeds through the product's own ingest, or a BEIR corpus (I/O edge).

A BEIR corpus has no page files, so its documents become :class:`~rag.types.Article` objects directly
(``id = _id``, ``body = text``, paragraphs split on newlines) and go through the same chunking, tokenising and
embedding as ingested pages.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rag import Library, Settings
from rag.index import store
from rag.index.embed import embed_chunks
from rag.ingest.chunking import chunk_article
from rag.types import Article

from .dataset import Dataset, Document

log = logging.getLogger(__name__)


def paragraphs(text: str) -> tuple[tuple[int, int], ...]:
    """Offsets of the non-empty lines of ``text``.

    >>> paragraphs("甲乙\\n\\n丙")
    ((0, 2), (4, 5))
    """
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return tuple(spans)


def to_article(doc: Document, source: str) -> Article:
    return Article(id=doc.id, title=doc.title, body=doc.text, source=str(doc.metadata.get("source", source)),
                   subtitle=str(doc.metadata.get("subtitle", "")), paragraphs=paragraphs(doc.text))


def ingest_documents(lib: Library, dataset: Dataset) -> int:
    """Add the corpus documents the index does not hold yet; returns how many were added.

    Uses ``Library.ingest_articles`` when the library has one; otherwise repeats what ``Library.ingest_pages``
    does after parsing (chunks, tokens, chunk vectors, and sentence vectors when they are configured).
    """
    articles = [to_article(d, dataset.name) for d in dataset.corpus.values() if d.id not in lib.index.articles]
    if not articles:
        return 0
    if hasattr(lib, "ingest_articles"):
        lib.ingest_articles(articles)
        return len(articles)
    s = lib.settings
    chunks = [c for a in articles for c in chunk_article(a, s.chunk_size, s.chunk_overlap)]
    tokens = [lib.tokenizer(c.indexed_text) for c in chunks]
    vectors = embed_chunks(lib.embedder, chunks, s.embed_batch_size, s.progress)
    extra = []
    if getattr(s, "sentence_vectors", False):
        from rag.index.embed import embed_sentences
        from rag.ingest.sentences import article_sentences

        keys = [key for a in articles for key in article_sentences(a)]
        extra.append(embed_sentences(lib.embedder, articles, keys, s.embed_batch_size, s.progress))
    with store.writer_lock(lib.index_dir):
        store.save(lib.index.with_articles(articles, chunks, tokens, vectors, *extra), lib.index_dir)
    lib.refresh()
    log.info("indexed %d documents (%d chunks) of %s", len(articles), len(chunks), dataset.name)
    return len(articles)


def open_index(settings: Settings, dataset: Dataset | None, seeds_dir: Path) -> Library:
    """A library over ``settings.index_dir``, filled from the seeds (``dataset=None``) or the dataset's corpus.

    An index that already holds the documents is reused as it is (``--index-dir`` makes repeated runs cheap).
    """
    lib = Library.open(settings)
    if dataset is None:
        if not lib.index.articles:
            failed = [r for r in lib.ingest_paths([seeds_dir]) if r.error]
            for r in failed:
                log.error("%s: %s", r.source, r.error)
    else:
        ingest_documents(lib, dataset)
    return lib
