"""Pages → new articles → chunks → tokens → vectors: the work of one ingest, before anything is written."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from embeddings.base import Embedder

from .chunking import chunk_article
from .errors import RagError
from .pages import PageText
from .parse import parse_page
from .sentkeys import SentenceKey
from .sentvec import SentenceTable, article_sentences, sentence_text
from .types import Article, Chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageResult:
    """What happened to one page: articles added, articles already indexed, or an error message."""

    source: str
    added: tuple[Article, ...] = ()
    duplicates: tuple[Article, ...] = ()
    error: str = ""
    encoding: str = ""


@dataclass
class Batch:
    results: list[PageResult] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    tokens: list[list[str]] = field(default_factory=list)
    sentences: list[SentenceKey] = field(default_factory=list)


def prepare(pages: Sequence[PageText], known_ids: set[str], tokenizer: Callable[[str], list[str]],
            chunk_size: int, chunk_overlap: int) -> Batch:
    """Parse, deduplicate (against the index and within the batch), chunk and tokenise. Pure but for logging."""
    batch = Batch()
    seen = set(known_ids)
    for page in pages:
        try:
            articles = parse_page(page.text, page.source)
        except RagError as exc:
            batch.results.append(PageResult(page.source, error=exc.message, encoding=page.encoding))
            continue
        added, dups = [], []
        for a in articles:  # an article printed twice on one page is added once
            (dups if a.id in seen else added).append(a)
            seen.add(a.id)
        batch.results.append(PageResult(page.source, tuple(added), tuple(dups), encoding=page.encoding))
        for article in added:
            batch.articles.append(article)
            batch.sentences.extend(article_sentences(article))
            for chunk in chunk_article(article, chunk_size, chunk_overlap):
                batch.chunks.append(chunk)
                batch.tokens.append(tokenizer(chunk.indexed_text))
    return batch


def embed_texts(embedder: Embedder, texts: Sequence[str], batch_size: int = 16, progress: bool = True,
                desc: str = "embedding") -> np.ndarray:
    """Passage vectors in batches, with a progress bar."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    bar = tqdm(total=len(texts), desc=desc, unit="text", disable=not progress or not texts)
    # hand the model blocks of many batches: it sorts each block by length, so batches pad less
    block = batch_size * 16
    for start in range(0, len(texts), block):
        part = texts[start : start + block]
        out[start : start + len(part)] = embedder.embed_documents(list(part))
        bar.update(len(part))
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
