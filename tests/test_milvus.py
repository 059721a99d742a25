"""The Milvus backend on Milvus Lite (embedded, a file, no server): BM25 full-text search with the jieba analyzer,
dense search, server-side RRF hybrid search, filters, deletes, the fallback without full-text search, and the
``RAG_BACKEND=milvus`` switch in the library."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from rag import Library  # noqa: E402
from rag.index.dense import QueryCache  # noqa: E402
from rag.index.milvus import MilvusCollection, MilvusRetriever, _filter_expr, analyzer_params  # noqa: E402
from rag.types import Filters, Retriever  # noqa: E402

QUERY = "哪些区举办了集体协商比赛"


@pytest.fixture(scope="module")
def collection(hash_library: Library, tmp_path_factory: pytest.TempPathFactory) -> MilvusCollection:
    col = MilvusCollection(str(tmp_path_factory.mktemp("milvus") / "m.db"), "chunks", hash_library.embedder.dim,
                           tokenizer=hash_library.tokenizer)
    col.create(drop=True)
    col.upsert(hash_library.index.chunks, hash_library.index.vectors)
    return col


def test_milvus_lite_has_bm25_full_text_search(collection: MilvusCollection, hash_library: Library) -> None:
    assert collection.full_text
    assert collection.count() == len(hash_library.index)


@pytest.mark.parametrize("name", ["bm25", "dense", "hybrid"])
def test_retrievers_return_hits_with_chunks(collection: MilvusCollection, hash_library: Library, name: str) -> None:
    retriever = MilvusRetriever(collection, name, QueryCache(hash_library.embedder))
    assert isinstance(retriever, Retriever)
    hits = retriever.search(QUERY, 5)
    assert len(hits) == 5 and all(h.retriever == name for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    local = {c.id: c for c in hash_library.index.chunks}
    assert all(h.chunk == local[h.chunk_id] for h in hits)  # chunks come back whole from Milvus


def test_bm25_ranks_like_ours_at_the_top(collection: MilvusCollection, hash_library: Library) -> None:
    ours = {h.article_id for h in hash_library.search(QUERY, k=5, retriever="bm25")}
    theirs = MilvusRetriever(collection, "bm25", QueryCache(hash_library.embedder)).search(QUERY, 5)
    assert theirs[0].score > 0
    assert "集体协商" in theirs[0].chunk.indexed_text and theirs[0].article_id in ours


def test_filters(collection: MilvusCollection, hash_library: Library) -> None:
    retriever = MilvusRetriever(collection, "hybrid", QueryCache(hash_library.embedder))
    hits = retriever.search("集体协商", 5, Filters(districts=("通州区",)))
    assert hits and all("通州区" in h.chunk.districts for h in hits)
    source = hash_library.index.chunks[0].source
    assert all(h.chunk.source == source for h in retriever.search("工会", 5, Filters(sources=(source,))))


def test_filter_expression_by_hand() -> None:
    assert _filter_expr(Filters(districts=("东城区",), sources=("a.txt",))) == \
        'array_contains_any(districts, ["东城区"]) and source in ["a.txt"]'
    assert _filter_expr(None) == ""


def test_analyzer_uses_our_terms_and_stopwords(tokenizer) -> None:
    params = analyzer_params(tokenizer)
    assert params["tokenizer"]["type"] == "jieba" and "集体协商" in params["tokenizer"]["dict"]
    assert "的" in params["filter"][0]["stop_words"]


def test_fallback_without_full_text_uses_our_bm25(hash_library: Library, tmp_path: Path) -> None:
    from rag.index.bm25 import BM25Retriever

    col = MilvusCollection(str(tmp_path / "f.db"), "dense_only", hash_library.embedder.dim)
    col.create(full_text=False)
    assert not col.full_text
    col.upsert(hash_library.index.chunks, hash_library.index.vectors)
    keyword = BM25Retriever(hash_library.index.chunks, hash_library.index.bm25, hash_library.tokenizer)
    hybrid = MilvusRetriever(col, "hybrid", QueryCache(hash_library.embedder), keyword=keyword)
    hits = hybrid.search(QUERY, 5)
    assert len(hits) == 5 and hits[0].retriever == "hybrid"


def test_library_backend_switch_mirrors_ingest_and_delete(make_hash_library, seeds_dir: Path, tmp_path: Path) -> None:
    lib = make_hash_library(tmp_path / "index", backend="milvus", milvus_uri=str(tmp_path / "lib.db"))
    lib.ingest_paths([seeds_dir / "003_8172d0507c8e507c.txt"])
    assert lib.milvus().count() == len(lib.index)
    hits = lib.search("密云区工匠学院", k=3)
    assert hits[0].retriever == "hybrid" and "工匠学院" in hits[0].chunk.indexed_text
    lib.delete(hits[0].article_id)
    assert lib.milvus().count() == len(lib.index)
