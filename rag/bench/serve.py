"""Serve-side figures for one saved index: load time, query latency per retriever and for answer(), ANN recall
against exact search with real query vectors, the cost of adding one page, and Index.df."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import numpy as np

from embeddings.base import Embedder
from rag.answer import answer
from rag.config import Settings
from rag.index import store
from rag.index.ann import ExactIP, recall_at_k
from rag.index.dense import QueryCache
from rag.ingest.chunking import chunk_article
from rag.ingest.parse import parse_page
from rag.library import Library

from .corpus import Seeds, generate_pages
from .timing import PhasePeak, Timer, latency_runs, peak_rss_mb, rss_mb, rss_split_mb
from .vectors import Mixer


def questions(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def serve_size(index_dir: Path, embedder: Embedder, settings: Settings, queries: list[str], runs: int,
               seeds: Seeds, seed_vecs: np.ndarray, old_df_limit: int = 200_000) -> dict:
    settings = settings.model_copy(update={"index_dir": index_dir})
    result: dict = {}
    with Timer() as t, PhasePeak() as load_peak:
        lib = Library(settings, embedder)
    result["load_seconds"] = round(t.seconds, 2)
    index = lib.index
    result["chunks"] = len(index)
    result["rss_after_load_mb"] = rss_mb()
    result["peak_rss_load_mb"] = load_peak.mb
    result["rss_after_load_split_mb"] = rss_split_mb()

    def fresh_cache() -> None:
        lib.encode = QueryCache(embedder, settings.query_cache_size)  # every run encodes its queries again

    lat = {}
    with PhasePeak() as query_peak:
        lat["encode"] = latency_runs(lambda q: embedder.embed_query(q), queries, runs)
        for name in ("bm25", "dense", "hybrid"):
            lat[name] = latency_runs(lambda q, name=name: lib.search(q, k=10, retriever=name), queries, runs,
                                     fresh_cache)
        lat["answer"] = latency_runs(lambda q: answer(lib, q), queries, runs, fresh_cache)
        lat["answer_cached_query"] = latency_runs(lambda q: answer(lib, q), queries, runs)
    result["latency_ms"] = lat
    result["peak_rss_queries_mb"] = query_peak.mb
    result["rss_after_queries_mb"] = rss_split_mb()
    # adding one page to the big index, the way Library.ingest_pages does (its vectors derived, not encoded)
    page = next(itertools.islice(generate_pages(seeds, seed=7), 3, None))
    articles = [a for a in parse_page(page.text, page.page.source) if a.id not in index.articles]
    chunks = [c for a in articles for c in chunk_article(a, settings.chunk_size, settings.chunk_overlap)]
    tokens = [lib.tokenizer(c.indexed_text) for c in chunks]
    vectors = Mixer(seeds, seed_vecs).chunks(chunks, [page] * len(chunks))
    with PhasePeak() as upload_peak:
        with Timer() as t:
            new = index.with_articles(articles, chunks, tokens, vectors)
        with Timer() as s, store.writer_lock(index_dir):
            store.save(new, index_dir)
    result["add_page"] = {"chunks": len(chunks), "snapshot_seconds": round(t.seconds, 2),
                          "save_seconds": round(s.seconds, 2), "peak_rss_mb": upload_peak.mb}
    del new
    # checks only the benchmark needs, after the product's figures (they hold large temporary tables)
    qv = np.vstack([lib.encode(q) for q in queries])
    if not isinstance(index.ann, ExactIP):
        _, truth = ExactIP(index.vectors).search(qv, 10)
        _, found = index.ann.search(qv, 10)
        result["ann_recall_at_10_real_queries"] = round(recall_at_k(found, truth, 10), 4)
    with Timer() as t:
        df = index.df
    result["df_seconds"] = round(t.seconds, 3)
    if len(index) <= old_df_limit:
        with Timer() as t:
            counts: Counter[str] = Counter()
            for tokens in index.tokens:
                counts.update(set(tokens))
        result["df_counter_seconds"] = round(t.seconds, 3)
        result["df_matches_counter"] = counts == df
    result["peak_rss_serve_mb"] = peak_rss_mb()
    return result
