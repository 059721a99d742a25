"""Row blocks: the same answers as one concatenated matrix, and an upload shares the live snapshot's vectors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rag.rowblocks import MAX_BLOCKS, RowBlocks

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
