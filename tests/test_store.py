"""The index on disk through the library: round trip, dedup, delete, mismatched and missing indexes, atomic saves."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from embeddings.hashing import HashEmbedder
from rag import Library, Settings
from rag.config import DEFAULT_MODEL
from rag.errors import IndexMismatchError, IndexNotReadyError, NotFoundError
from rag.index import store
from rag.ingest.parse import parse_page
from rag.ingest.sentences import sentence_text
from rag.ingest.tokenize import Tokenizer

P1, P3 = "001_d15e506f488c69d4.txt", "003_8172d0507c8e507c.txt"
QUERIES = ["哪些区举办了集体协商比赛", "夏送清凉", "经开区总工会", "读书分享会"]


def _versions(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.iterdir() if p.is_dir())


# ---------------------------------------------------------------- round trip


def test_save_then_load_gives_the_same_index(hash_library: Library) -> None:
    live = hash_library.index
    loaded, name = store.load(hash_library.index_dir, "hash-256")
    assert name == hash_library.stats()["version"]
    assert loaded.meta == live.meta
    assert loaded.articles == live.articles  # tuples come back as tuples, not lists
    assert loaded.chunks == live.chunks
    assert list(loaded.tokens) == list(live.tokens)  # each chunk's token list
    np.testing.assert_array_equal(loaded.vectors, live.vectors)
    assert loaded.sentences.keys == live.sentences.keys
    np.testing.assert_array_equal(loaded.sentences.vectors, live.sentences.vectors)


def test_sentence_vectors_are_stored_in_half_and_float32_ones_still_load(
        tmp_path: Path, make_hash_library: Callable, seeds_dir: Path) -> None:
    index_dir = tmp_path / "index"
    pages = sorted(seeds_dir.glob("*.txt"))
    lib = make_hash_library(index_dir)
    lib.ingest_paths(pages[:2])
    (first,) = _parts(index_dir)
    path = index_dir / lib.stats()["version"] / f"{first['name']}.sentence_vectors.npy"
    assert np.load(path).dtype == np.float16
    # the part as an index written before sentence vectors were float16 stored it
    exact = HashEmbedder().embed_documents([sentence_text(lib.index.articles[aid], a, b)
                                            for aid, a, b in lib.index.sentences.keys])
    path.unlink()
    np.save(path, exact)
    old = make_hash_library(index_dir)
    assert old.index.sentences.vectors.dtype == np.float32
    np.testing.assert_array_equal(old.index.sentences.vectors, exact)
    query, spans = exact[3], [(aid, s) for aid, s, _e in old.index.sentences.keys[:5]]
    np.testing.assert_allclose(old.index.sentences.similarities(query, spans), exact[:5] @ query, rtol=1e-6)

    old.ingest_paths([pages[2]])  # the old part is kept as it is; the new rows are half
    version = index_dir / old.stats()["version"]
    kept, new = _parts(index_dir)
    assert np.load(version / f"{kept['name']}.sentence_vectors.npy").dtype == np.float32
    assert np.load(version / f"{new['name']}.sentence_vectors.npy").dtype == np.float16
    loaded, _ = store.load(index_dir, "hash-256")
    np.testing.assert_array_equal(loaded.sentences.vectors, old.index.sentences.vectors)
    np.testing.assert_array_equal(loaded.sentences.vectors[: len(exact)], exact)

    old.delete(old.index.sentences.keys[0][0])  # rewrites the rows as one float32 part...
    old.ingest_paths([pages[3]])  # ...and what comes after is still stored in half
    version = index_dir / old.stats()["version"]
    assert [np.load(version / f"{p['name']}.sentence_vectors.npy").dtype for p in _parts(index_dir)] == \
        [np.float32, np.float16]


def test_loaded_chunks_and_sentences_share_their_articles_strings(hash_library: Library) -> None:
    loaded, _ = store.load(hash_library.index_dir, "hash-256")
    for chunk in loaded.chunks:
        article = loaded.articles[chunk.article_id]
        assert chunk.article_id is article.id and chunk.title is article.title and chunk.source is article.source
    headings = {c.heading for c in loaded.chunks}
    assert len({id(c.heading) for c in loaded.chunks}) == len(headings)  # one string per distinct heading
    assert all(aid is loaded.articles[aid].id for aid, _a, _b in loaded.sentences.keys)


def test_reopened_library_searches_the_same(hash_library: Library, tokenizer: Tokenizer) -> None:
    reopened = Library(hash_library.settings, HashEmbedder(), tokenizer)
    assert reopened.stats() == hash_library.stats()
    for name in ("bm25", "dense", "hybrid"):
        for query in QUERIES:
            before = [(h.chunk_id, h.score) for h in hash_library.search(query, k=8, retriever=name)]
            after = [(h.chunk_id, h.score) for h in reopened.search(query, k=8, retriever=name)]
            assert [c for c, _ in after] == [c for c, _ in before]
            assert [s for _, s in after] == pytest.approx([s for _, s in before])


def test_manifest_records_how_the_index_was_built(hash_library: Library) -> None:
    manifest = store.read_manifest(hash_library.index_dir)
    assert manifest["model"] == "hash-256" and manifest["dim"] == 256
    assert (manifest["chunk_size"], manifest["chunk_overlap"]) == (350, 60)
    assert manifest["tokenizer"] == hash_library.tokenizer.name
    assert manifest["counts"] == {"articles": 31, "chunks": len(hash_library.index.chunks)}


# ---------------------------------------------------------------- dedup


def test_ingesting_the_same_pages_twice_adds_nothing(tmp_path: Path, make_hash_library: Callable, seeds_dir: Path) -> None:
    lib = make_hash_library(tmp_path / "index")
    first = lib.ingest_paths([seeds_dir])
    assert [len(r.added) for r in first] == [5, 6, 7, 7, 6]
    stats = lib.stats()
    again = lib.ingest_paths([seeds_dir])
    assert [(len(r.added), len(r.duplicates), r.error) for r in again] == [(0, 5, ""), (0, 6, ""), (0, 7, ""),
                                                                            (0, 7, ""), (0, 6, "")]
    assert lib.stats() == stats  # same counts, same version: nothing was written
    assert _versions(tmp_path / "index") == [stats["version"]]


def test_a_renamed_page_adds_nothing(tmp_path: Path, make_hash_library: Callable, seeds_dir: Path) -> None:
    renamed = tmp_path / "pages" / "renamed.txt"
    renamed.parent.mkdir()
    shutil.copy(seeds_dir / P1, renamed)
    lib = make_hash_library(tmp_path / "index")
    # in one batch: the copy is recognised as the page already read
    results = lib.ingest_paths([seeds_dir, renamed])
    assert (len(results[-1].added), len(results[-1].duplicates)) == (0, 6)
    assert lib.stats()["articles"] == 31
    # in a later batch too
    (result,) = lib.ingest_paths([renamed])
    assert (result.source, len(result.added), len(result.duplicates)) == ("renamed.txt", 0, 6)
    assert "renamed.txt" not in lib.stats()["sources"]


# ---------------------------------------------------------------- delete


def test_delete_removes_an_article_from_both_indexes(tmp_path: Path, make_hash_library: Callable,
                                                     seeds_dir: Path) -> None:
    lib = make_hash_library(tmp_path / "index")
    lib.ingest_paths([seeds_dir])
    title = "朝外街道总工会为单身职工“搭鹊桥”"
    query = "朝外街道总工会为单身职工搭鹊桥"
    target = next(a for a in lib.index.articles.values() if a.title == title)
    n_chunks = len(lib.index.chunks_of(target.id))
    for name in ("bm25", "dense"):
        assert lib.search(query, k=1, retriever=name)[0].article_id == target.id
    before = lib.stats()

    assert lib.delete(target.id) == target
    for name in ("bm25", "dense", "hybrid"):
        assert target.id not in {h.article_id for h in lib.search(query, k=50, retriever=name)}
    after = lib.stats()
    assert (after["articles"], after["chunks"]) == (before["articles"] - 1, before["chunks"] - n_chunks)
    with pytest.raises(NotFoundError, match=target.id):
        lib.article(target.id)
    with pytest.raises(NotFoundError):
        lib.delete(target.id)

    reopened = make_hash_library(tmp_path / "index")  # the deletion is on disk
    assert target.id not in reopened.index.articles
    assert target.id not in {h.article_id for h in reopened.search(query, k=50, retriever="bm25")}
    # and the page can bring it back
    (result,) = reopened.ingest_paths([seeds_dir / "003_8172d0507c8e507c.txt"])
    assert [a.id for a in result.added] == [target.id]


# ---------------------------------------------------------------- mismatched or missing indexes


def test_opening_with_another_model_fails_with_what_to_do(hash_library: Library, tokenizer: Tokenizer) -> None:
    settings = Settings(index_dir=hash_library.index_dir, model="hash-128", progress=False)
    with pytest.raises(IndexMismatchError) as info:
        Library(settings, HashEmbedder(128), tokenizer)
    message = info.value.message
    assert "'hash-256'" in message and "'hash-128'" in message
    assert "set RAG_MODEL to the index's model, or rebuild the index into another RAG_INDEX_DIR" in message
    with pytest.raises(IndexMismatchError, match="built with model 'hash-256'"):
        store.load(hash_library.index_dir, DEFAULT_MODEL)


def test_an_index_in_another_format_fails(hash_library: Library, tmp_path: Path) -> None:
    copy = tmp_path / "index"
    shutil.copytree(hash_library.index_dir, copy)
    manifest_path = copy / (copy / "CURRENT").read_text().strip() / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest_path.write_text(json.dumps({**manifest, "format_version": 1}), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="has format 1.*rebuild it"):
        store.load(copy, "hash-256")


def test_no_index_is_an_empty_library(tmp_path: Path, make_hash_library: Callable) -> None:
    with pytest.raises(IndexNotReadyError, match=r"no index at .*; build one with `python -m rag ingest seeds/`"):
        store.load(tmp_path / "nothing", "hash-256")
    lib = make_hash_library(tmp_path / "nothing")
    stats = lib.stats()
    assert (stats["articles"], stats["chunks"], stats["version"], stats["sources"]) == (0, 0, None, [])
    for name in ("bm25", "dense", "hybrid"):
        assert lib.search("集体协商", k=5, retriever=name) == []


def test_a_dangling_current_pointer_is_no_index(tmp_path: Path) -> None:
    (tmp_path / "CURRENT").write_text("v-gone", encoding="utf-8")
    assert store.current_version(tmp_path) is None
    with pytest.raises(IndexNotReadyError):
        store.load(tmp_path, "hash-256")


# ---------------------------------------------------------------- encodings end to end


def test_gbk_page_end_to_end(tmp_path: Path, make_hash_library: Callable, seeds_dir: Path) -> None:
    text = (seeds_dir / P3).read_text(encoding="utf-8")
    page = tmp_path / "pages" / "gbk-003.txt"
    page.parent.mkdir()
    page.write_bytes(text.encode("gbk"))
    lib = make_hash_library(tmp_path / "index")
    (result,) = lib.ingest_paths([page])
    assert (result.source, result.encoding, result.error) == ("gbk-003.txt", "gb18030", "")
    assert [a.id for a in result.added] == [a.id for a in parse_page(text, P3)]
    top = lib.search("朝阳区医疗卫生工会插花体验活动", k=1, retriever="bm25")[0]
    assert (top.chunk.title, top.chunk.source) == ("体验插花艺术", "gbk-003.txt")


def test_unreadable_files_are_reported_and_the_rest_ingested(tmp_path: Path, make_hash_library: Callable,
                                                             seeds_dir: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32))
    (pages / "empty.txt").write_bytes(b"")
    shutil.copy(seeds_dir / P3, pages / P3)
    lib = make_hash_library(tmp_path / "index")
    results = {r.source: r for r in lib.ingest_paths([pages])}
    assert "binary file" in results["photo.txt"].error
    assert "empty" in results["empty.txt"].error
    assert len(results[P3].added) == 7 and lib.stats()["articles"] == 7


# ---------------------------------------------------------------- atomic versions


def test_saves_are_whole_versions_and_old_ones_are_cleaned(tmp_path: Path, make_hash_library: Callable,
                                                           seeds_dir: Path) -> None:
    index_dir = tmp_path / "index"
    lib = make_hash_library(index_dir)
    lib.ingest_paths([seeds_dir / "000_9d99fd9dcb55520a.txt"])
    v1 = lib.stats()["version"]
    assert _versions(index_dir) == [v1]
    lib.ingest_paths([seeds_dir / P1])
    v2 = lib.stats()["version"]
    assert v2 != v1 and _versions(index_dir) == [v2]

    # leftovers of a crashed writer: a half-written version and an orphaned old one; readers ignore them
    (index_dir / ".tmp-v-crashed").mkdir()
    (index_dir / ".tmp-v-crashed" / "articles.jsonl").write_text("{half", encoding="utf-8")
    (index_dir / "v-20000101000000-deadbeef").mkdir()
    reader = make_hash_library(index_dir)
    assert reader.stats()["version"] == v2 and reader.stats()["articles"] == 11

    victim = next(iter(lib.index.articles))
    lib.delete(victim)
    v3 = lib.stats()["version"]
    assert _versions(index_dir) == [v3]  # both leftovers and v2 are gone
    assert not [p.name for p in index_dir.iterdir() if p.name.startswith((".tmp-", "CURRENT.tmp"))]
    assert (index_dir / "CURRENT").read_text(encoding="utf-8") == v3
    files = {p.name for p in (index_dir / v3).iterdir()}
    assert {"manifest.json", "vocab.json", "bm25"} <= files
    assert {name.split(".", 1)[1] for name in files if name.startswith("p-")} == set(store.PART_TABLES)
    assert store.read_manifest(index_dir)["counts"]["articles"] == 10

    # another process's library sees the new version after refresh()
    assert reader.stats()["version"] == v2
    reader.refresh()
    assert reader.stats()["version"] == v3 and victim not in reader.index.articles


# ---------------------------------------------------------------- incremental saves


def _parts(index_dir: Path) -> list[dict]:
    return store.read_manifest(index_dir)["parts"]


def _inode(index_dir: Path, part: dict, table: str = "vectors.npy") -> int:
    version = index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8")
    return (version / f"{part['name']}.{table}").stat().st_ino


def test_an_upload_writes_only_its_own_rows(tmp_path: Path, make_hash_library: Callable, seeds_dir: Path) -> None:
    index_dir = tmp_path / "index"
    lib = make_hash_library(index_dir)
    pages = sorted(seeds_dir.glob("*.txt"))
    lib.ingest_paths(pages[:2])
    first = _parts(index_dir)
    assert [(p["articles"], p["chunks"]) for p in first] == [(11, len(lib.index.chunks))]
    inodes = {table: _inode(index_dir, first[0], table) for table in store.PART_TABLES}
    chunks_before, sentences_before = len(lib.index.chunks), len(lib.index.sentences)

    lib.ingest_paths([pages[2]])
    second = _parts(index_dir)
    assert second[0] == first[0] and len(second) == 2
    assert second[1]["articles"] == 7  # the third page's seven articles, nothing else
    assert second[1]["chunks"] == len(lib.index.chunks) - chunks_before
    assert second[1]["sentences"] == len(lib.index.sentences) - sentences_before
    # the first part's files are the very same files (hard links), not rewritten copies
    assert {table: _inode(index_dir, second[0], table) for table in store.PART_TABLES} == inodes

    lib.ingest_paths(pages[3:])
    assert len(_parts(index_dir)) == 3
    loaded, _ = store.load(index_dir, "hash-256")
    assert list(loaded.articles) == list(lib.index.articles)  # ids in the same order
    assert loaded.chunks == lib.index.chunks
    assert loaded.tokens == lib.index.tokens
    np.testing.assert_array_equal(loaded.vectors, lib.index.vectors)
    assert loaded.sentences.keys == lib.index.sentences.keys
    np.testing.assert_array_equal(loaded.sentences.vectors, lib.index.sentences.vectors)
    reopened = make_hash_library(index_dir)
    assert [h.chunk_id for h in reopened.search("哪些区举办了集体协商比赛", k=8)] == \
        [h.chunk_id for h in lib.search("哪些区举办了集体协商比赛", k=8)]

    # a delete rewrites the rows as one part
    lib.delete(next(iter(lib.index.articles)))
    assert [p["articles"] for p in _parts(index_dir)] == [30]
    assert store.load(index_dir, "hash-256")[0].chunks == lib.index.chunks


def test_parts_are_compacted_past_the_limit(tmp_path: Path, make_hash_library: Callable, seeds_dir: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "MAX_PARTS", 2)
    index_dir = tmp_path / "index"
    lib = make_hash_library(index_dir)
    counts = []
    for page in sorted(seeds_dir.glob("*.txt")):
        lib.ingest_paths([page])
        counts.append([p["articles"] for p in _parts(index_dir)])
    assert counts == [[5], [5, 6], [18], [18, 7], [31]]  # at two parts the next save writes one
    assert store.load(index_dir, "hash-256")[0].chunks == lib.index.chunks


def test_a_version_written_by_another_process_is_not_reused_blindly(tmp_path: Path, make_hash_library: Callable,
                                                                    seeds_dir: Path) -> None:
    index_dir = tmp_path / "index"
    pages = sorted(seeds_dir.glob("*.txt"))
    ours, theirs = make_hash_library(index_dir), make_hash_library(index_dir)
    ours.ingest_paths(pages[:1])
    theirs.ingest_paths(pages[1:2])  # refreshes first, so it grows our version
    assert [p["articles"] for p in _parts(index_dir)] == [5, 6]
    # our snapshot is stale: a snapshot grown from it must not reuse the live version's parts
    stale = ours.index
    article = next(a for a in parse_page(pages[2].read_text(encoding="utf-8"), pages[2].name))
    grown = stale.with_articles([article], [], [], np.zeros((0, 256), np.float32))
    with store.writer_lock(index_dir):
        store.save(grown, index_dir)
    assert [p["articles"] for p in _parts(index_dir)] == [6]
    assert list(store.load(index_dir, "hash-256")[0].articles) == [*stale.articles, article.id]
