"""The Milvus backend on a saved synthetic index: load the chunks and vectors into a Milvus (Lite file by
default), then time its dense, BM25 and hybrid search beside ours."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from embeddings.base import Embedder
from rag.config import Settings
from rag.index.dense import QueryCache
from rag.index.milvus import MilvusCollection, MilvusRetriever
from rag.library import Library

from .timing import Timer, latency_runs, peak_rss_mb


def milvus_size(index_dir: Path, embedder: Embedder, settings: Settings, queries: list[str], runs: int,
                uri: str) -> dict:
    lib = Library(settings.model_copy(update={"index_dir": index_dir}), embedder)
    index = lib.index
    collection = MilvusCollection(uri, "bench", embedder.dim, settings.milvus_token, lib.tokenizer)
    collection.create(drop=True)
    with Timer() as t:
        collection.upsert(index.chunks, np.asarray(index.vectors))
    result: dict = {"uri": uri, "full_text": collection.full_text, "queries": len(queries), "runs": runs,
                    "insert_seconds": round(t.seconds, 1),
                    "insert_chunks_per_s": round(len(index) / t.seconds, 1), "latency_ms": {}}
    encode = QueryCache(embedder, settings.query_cache_size)
    for name in ("bm25", "dense", "hybrid"):
        retriever = MilvusRetriever(collection, name, encode)
        result["latency_ms"][name] = latency_runs(lambda q, r=retriever: r.search(q, 10), queries, runs,
                                                  encode._items.clear)
    result["peak_rss_mb"] = peak_rss_mb()
    return result
