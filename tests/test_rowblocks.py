"""Row and token blocks: the same answers as one concatenated table, and an upload shares the live snapshot's
vectors and token ids."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rag.index._rowblocks import MAX_BLOCKS, RowBlocks, capped
from rag.index._stored import StoredArray
from rag.index._tokentable import TokenTable
from rag.index.bm25 import build_bm25_from_ids

P1, P3 = "001_d15e506f488c69d4.txt", "003_8172d0507c8e507c.txt"


@pytest.fixture
def parts() -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [rng.standard_normal((n, 8)).astype(np.float32) for n in (5, 1, 7)]


def test_blocks_read_like_their_concatenation(parts: list[np.ndarray]) -> None:
    rows = RowBlocks.of(parts[0])
    for p in parts[1:]:
        rows = rows.added(p)
    whole = np.concatenate(parts)
    assert len(rows) == 13 and rows.shape == (13, 8) and len(rows.blocks) == 3
    np.testing.assert_array_equal(np.asarray(rows), whole)
    picks = [12, 0, 5, 6, 5]  # across blocks, out of order, repeated
    np.testing.assert_array_equal(rows.take(picks), whole[picks])
    for start in (0, 4, 5, 6, 12, 13):
        np.testing.assert_array_equal(rows.rows_from(start), whole[start:])
    q = np.random.default_rng(4).standard_normal((2, 8)).astype(np.float32)
    np.testing.assert_allclose(rows.scores(q), q @ whole.T, rtol=1e-5, atol=1e-5)


def test_adding_rows_shares_the_old_blocks(parts: list[np.ndarray]) -> None:
    first = RowBlocks.of(parts[0])
    second = first.added(parts[1])
    assert second.blocks[0] is first.blocks[0] and len(first) == 5  # the old snapshot is unchanged
    assert first.added(np.zeros((0, 8), np.float32)).blocks == first.blocks  # nothing added, no empty block


def test_many_small_additions_are_merged_past_the_block_limit(parts: list[np.ndarray]) -> None:
    rows = base = RowBlocks.of(parts[2])
    for i in range(MAX_BLOCKS + 8):
        rows = rows.added(np.full((1, 8), i, np.float32))
    assert len(rows.blocks) <= MAX_BLOCKS and rows.blocks[0] is base.blocks[0]  # the first block is still shared
    np.testing.assert_array_equal(rows.rows_from(7)[:, 0], np.arange(MAX_BLOCKS + 8, dtype=np.float32))


def test_rows_must_be_float32_of_the_width(parts: list[np.ndarray]) -> None:
    with pytest.raises(ValueError, match="float32"):
        RowBlocks((parts[0].astype(np.float64),), 8)
    with pytest.raises(ValueError, match=r"\(n, 4\)"):
        RowBlocks((parts[0],), 4)
    with pytest.raises(ValueError, match="2-D"):
        RowBlocks.of(np.zeros(8, np.float32))
    assert len(RowBlocks.empty(8)) == 0 and RowBlocks.empty(8).scores(np.ones((1, 8), np.float32)).shape == (1, 0)


def test_a_float16_table_adds_rows_in_half_and_keeps_float32_blocks_exact(parts: list[np.ndarray]) -> None:
    old = RowBlocks((parts[0],), 8, np.float16)  # rows stored before the table was float16
    rows = old.added(parts[1]).added(parts[2])
    assert [b.dtype for b in rows.blocks] == [np.float32, np.float16, np.float16] and rows.blocks[0] is parts[0]
    whole = np.concatenate([parts[0], *(p.astype(np.float16) for p in parts[1:])]).astype(np.float32)
    picks = [12, 0, 5, 6, 4]
    assert rows.take(picks).dtype == np.float32  # float32 rows are not rounded to half on the way out
    np.testing.assert_array_equal(rows.take(picks), whole[picks])
    np.testing.assert_array_equal(rows.rows_from(0), whole)
    kept = rows.taken([12, 0])  # one block, still a float16 table
    assert kept.dtype == np.float16 and kept.blocks[0].dtype == np.float32
    assert kept.added(parts[0]).blocks[1].dtype == np.float16
    np.testing.assert_array_equal(kept.rows_from(0), whole[[12, 0]])
    half = RowBlocks.of(parts[2], np.float16)
    assert half.take([6, 0]).dtype == np.float16 and half.rows_from(7).dtype == np.float16
    assert np.abs(half.take([3]).astype(np.float32) - parts[2][3]).max() <= 2.0 ** -11 * np.abs(parts[2][3]).max()
    with pytest.raises(ValueError, match="float16"):
        RowBlocks((parts[0].astype(np.float64),), 8, np.float16)
    with pytest.raises(ValueError, match="float32 or float16"):
        RowBlocks.empty(8, np.float64)
    with pytest.raises(ValueError, match="float32"):
        RowBlocks((parts[0].astype(np.float16),), 8)  # a float32 table takes no half blocks


def test_an_upload_shares_the_loaded_vectors_and_a_delete_gathers_across_blocks(
        tmp_path: Path, make_hash_library: Callable, seeds_dir: Path) -> None:
    make_hash_library(tmp_path / "index").ingest_paths([seeds_dir / P1])
    lib = make_hash_library(tmp_path / "index")  # loaded from disk
    loaded = lib.index.vectors
    assert all(isinstance(b, np.memmap) for b in loaded.blocks)  # mapped, not read into the heap
    lib.ingest_paths([seeds_dir / P3])
    grown = lib.index.vectors
    assert grown.blocks[0] is loaded.blocks[0] and len(grown.blocks) == 2
    assert len(grown) == len(lib.index.chunks)

    whole = np.asarray(grown)
    victim = lib.index.chunks[0].article_id
    keep = [i for i, c in enumerate(lib.index.chunks) if c.article_id != victim]
    lib.delete(victim)
    np.testing.assert_array_equal(np.asarray(lib.index.vectors), whole[keep])
    reopened = make_hash_library(tmp_path / "index")
    np.testing.assert_array_equal(np.asarray(reopened.index.vectors), whole[keep])
    query = lib.index.chunks[3].indexed_text
    assert reopened.search(query, k=1, retriever="dense")[0].chunk_id == lib.index.chunks[3].id


def test_token_blocks_read_like_one_table() -> None:
    rows = [["工会", "职工"], [], ["职工", "职工", "集体协商"], ["新词"], ["工会"]]
    table = TokenTable.from_lists(rows[:2])
    for row in rows[2:]:
        table = table.appended([row])
    whole = TokenTable.from_lists(rows, table.vocab)
    assert len(table.blocks) == 4
    assert table.appended([[]]).blocks == table.blocks and table.appended([[]])[-1] == []  # an empty row: no block
    assert table == rows and table.ids.tolist() == whole.ids.tolist() == [0, 1, 1, 1, 2, 3, 0]
    assert [table.ids_between(a, z).tolist() for a, z in ((0, 7), (1, 4), (4, 5), (5, 7), (3, 3))] == \
        [[0, 1, 1, 1, 2, 3, 0], [1, 1, 1], [2], [3, 0], []]
    assert table[2] == rows[2] and table.taken(np.array([4, 0])) == [rows[4], rows[0]]
    for block in (7, 2, 1):  # document blocks of the BM25 builder cross id blocks
        a, b = build_bm25_from_ids(table, block=block), build_bm25_from_ids(whole, block=block)
        assert all(np.array_equal(a.scores[k], b.scores[k]) for k in ("data", "indices", "indptr"))
    with pytest.raises(ValueError, match="offsets end at 3"):
        TokenTable(table.vocab, (np.zeros(2, np.int32),), np.array([0, 3]))


def test_many_small_token_additions_are_merged_past_the_block_limit() -> None:
    table = base = TokenTable.from_lists([["a"] * 3])
    for i in range(MAX_BLOCKS + 8):
        table = table.appended([[f"w{i}"]])
    assert len(table.blocks) <= MAX_BLOCKS and table.blocks[0] is base.blocks[0]
    assert table[-1] == [f"w{MAX_BLOCKS + 7}"] and len(table) == MAX_BLOCKS + 9


def test_an_upload_shares_the_loaded_token_ids(tmp_path: Path, make_hash_library: Callable, seeds_dir: Path) -> None:
    make_hash_library(tmp_path / "index").ingest_paths([seeds_dir / P1])
    lib = make_hash_library(tmp_path / "index")
    loaded, loaded_version = lib.index.tokens, lib.index.saved_as
    assert len(loaded.blocks) == 1 and isinstance(loaded.blocks[0], StoredArray)  # left on disk
    lib.ingest_paths([seeds_dir / P3])
    grown = lib.index.tokens
    assert grown.blocks[0] is loaded.blocks[0] and len(grown.blocks) == 2
    reopened = make_hash_library(tmp_path / "index")  # two stored parts: two blocks, not joined
    assert [type(b) for b in reopened.index.tokens.blocks] == [StoredArray, StoredArray]
    assert reopened.index.tokens == grown == [lib.tokenizer(c.indexed_text) for c in lib.index.chunks]
    query = lib.index.chunks[-1].indexed_text
    assert reopened.search(query, k=1, retriever="bm25")[0].chunk_id == lib.index.chunks[-1].id
    first_version = loaded.blocks[0]
    reopened.delete(lib.index.chunks[0].article_id)  # a new version: the first one's directory is deleted
    assert not any(p.name == loaded_version for p in (tmp_path / "index").iterdir())
    assert first_version[0:3].tolist() == grown.ids[:3].tolist()  # still readable through the open file


def _stored_ids(path: Path) -> StoredArray:
    return StoredArray(path, kinds="iu", read_as=np.int32, what="token ids")


def test_stored_ids_read_slices_from_the_file(tmp_path: Path) -> None:
    for dtype in (np.int32, np.int64):  # an older index may hold wider ids: read as int32
        np.save(tmp_path / "ids.npy", np.arange(10, 20, dtype=dtype))
        ids = _stored_ids(tmp_path / "ids.npy")
        assert len(ids) == 10 and ids[2:5].tolist() == [12, 13, 14] and ids[8:].dtype == np.int32
        assert ids[:].tolist() == list(range(10, 20)) and ids[5:5].tolist() == [] and ids[7:3].tolist() == []
    with pytest.raises(ValueError, match="contiguous"):
        ids[::2]
    np.save(tmp_path / "bad.npy", np.zeros((2, 2), np.int32))
    with pytest.raises(ValueError, match="token ids must be a 1-D integer"):
        _stored_ids(tmp_path / "bad.npy")


def test_stored_rows_read_like_the_array(tmp_path: Path, parts: list[np.ndarray]) -> None:
    whole = np.concatenate(parts).astype(np.float16)
    np.save(tmp_path / "rows.npy", whole)
    rows = StoredArray(tmp_path / "rows.npy", ndim=2, kinds="f")
    assert rows.shape == (13, 8) and rows.ndim == 2 and rows.dtype == np.float16
    for picks in ([12, 0, 5, 6, 5], [3, 4, 5], [], np.array([[1], [2]])):  # runs, gaps, repeats, no rows
        np.testing.assert_array_equal(rows[picks], whole[np.asarray(picks, np.int64).reshape(-1)])
    np.testing.assert_array_equal(rows[4:9], whole[4:9])
    np.testing.assert_array_equal(np.asarray(rows), whole)
    merged = capped((rows,) * (MAX_BLOCKS + 1))  # stored blocks past the cap are read and joined
    assert merged[0] is rows and merged[1].shape == (13 * MAX_BLOCKS, 8) and merged[1].dtype == np.float16
    np.testing.assert_array_equal(merged[1][-13:], whole)
    with pytest.raises(IndexError, match="13 rows"):
        rows[[2, 13]]
    with pytest.raises(IndexError):
        rows[[-1]]
    with pytest.raises(ValueError, match=r"must be a 1-D float array, not float16 \(13, 8\)"):
        StoredArray(tmp_path / "rows.npy", ndim=1, kinds="f")
    np.save(tmp_path / "ints.npy", np.zeros((2, 8), np.int32))
    with pytest.raises(ValueError, match="2-D float"):
        StoredArray(tmp_path / "ints.npy", ndim=2, kinds="f")
    (tmp_path / "short.npy").write_bytes((tmp_path / "rows.npy").read_bytes()[:-16])  # a truncated file
    with pytest.raises(ValueError):
        StoredArray(tmp_path / "short.npy", ndim=2, kinds="f")
    os.truncate(tmp_path / "rows.npy", os.path.getsize(tmp_path / "rows.npy") - 16)  # truncated once open
    assert rows[[0, 11]].shape == (2, 8)
    with pytest.raises(OSError, match="ended early"):
        rows[[12]]


def test_loaded_sentence_vectors_are_read_not_mapped(tmp_path: Path, make_hash_library: Callable,
                                                     seeds_dir: Path) -> None:
    live = make_hash_library(tmp_path / "index")
    live.ingest_paths([seeds_dir / P1])
    lib = make_hash_library(tmp_path / "index")
    (block,) = lib.index.sentences.rows.blocks
    assert isinstance(block, StoredArray)  # neither loaded nor mapped: read a few rows at a time
    query, keys = live.embedder.embed_query("集体协商"), live.index.sentences.keys
    spans = [(aid, a) for aid, a, _b in keys][::3]
    assert lib.index.sentences.similarities(query, spans) == live.index.sentences.similarities(query, spans)
    lib.ingest_paths([seeds_dir / P3])  # an upload adds a block and shares the stored one
    assert lib.index.sentences.rows.blocks[0] is block and len(lib.index.sentences.rows.blocks) == 2
