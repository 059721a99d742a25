"""Ingest's length-bucketed encoding (``rag.ingest.batch.embed_texts``) and the ingest ratio benchmark
(``python -m rag.bench ingest``). Speed itself is measured by the benchmark, never asserted here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from embeddings.hashing import HashEmbedder
from embeddings.loader import load_embedder
from rag.config import Settings
from rag.index.embed import embed_texts, length_batches
from rag.ingest.sentences import sentence_spans

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT.parent / "shared" / "data" / "crud" / "docs.tar.xz"


def seed_texts(seeds_dir: Path) -> list[str]:
    """Every seed line and every sentence of the first pages: lengths from 4 to several hundred characters."""
    pages = sorted(seeds_dir.glob("*.txt"))
    lines = [x.strip() for p in pages for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    text = pages[0].read_text(encoding="utf-8")
    return lines + [text[a:b] for a, b in sentence_spans(text) if b - a >= 4]


def test_length_batches_cover_every_text_once_within_the_budget() -> None:
    lengths = [37, 5, 350, 12, 12, 90, 400, 1, 60, 61, 200, 8]
    batches = length_batches(lengths, max_chars=400, max_texts=3)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)  # one global order by length, not per block
    assert all(len(b) <= 3 and len(b) * max(lengths[i] for i in b) <= 400 for b in batches)
    assert length_batches([], 100) == []


def test_vectors_come_back_in_input_order(seeds_dir: Path) -> None:
    texts = seed_texts(seeds_dir)
    emb = HashEmbedder(64)
    got = embed_texts(emb, texts, batch_size=4, progress=False)
    np.testing.assert_array_equal(got, emb.embed_documents(texts))


@pytest.mark.slow
def test_bucketed_vectors_match_one_text_at_a_time_on_seed_text(seeds_dir: Path) -> None:
    """The real model: every vector from the bucketed batches has cosine >= 0.9999 with the same text encoded
    alone (no padding, no batch neighbours); a vector put back on the wrong row would score far lower."""
    emb = load_embedder(Settings(cache_dir=ROOT / ".cache", progress=False))
    texts = seed_texts(seeds_dir)[:120]
    got = embed_texts(emb, texts, batch_size=4, progress=False)
    alone = np.vstack([emb.embed_documents([t]) for t in texts])
    cos = np.sum(got * alone, axis=1)
    assert cos.min() >= 0.9999, (cos.min(), texts[int(cos.argmin())])
    shifted = np.sum(got * np.roll(alone, 1, axis=0), axis=1)
    assert shifted.mean() < 0.95  # the bound above is far tighter than what unrelated texts reach


@pytest.mark.slow
def test_ingest_bench_prints_stages_and_a_json_last_line(capsys) -> None:
    if not ARCHIVE.is_file():
        pytest.skip(f"{ARCHIVE} is absent (the shared CRUD news archive)")
    from rag.bench.__main__ import main

    assert main(["ingest", "--docs", "3", "--seed", "1", "--archive", str(ARCHIVE)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert result["docs"] == 3 and result["chunks"] >= 3 and result["sentence_vectors"] > result["chunks"]
    rates = result["ours_chunks_per_s"] / result["naive_chunks_per_s"]  # each rounded to 3 decimals
    assert result["ratio"] == pytest.approx(rates, rel=0.05), result
    stages = result["ours_stages_s"]
    assert {"encode chunks", "encode sentences", "tokenise", "write"} <= set(stages)
    assert sum(stages.values()) <= result["ours_s"] * 1.01, result  # parts of one timed ingest, not extra work
    assert any(line.startswith("ours:") for line in lines) and any(line.startswith("naive:") for line in lines)


def test_ingest_bench_missing_archive_is_a_clear_error(tmp_path: Path, capsys) -> None:
    from rag.bench.__main__ import main

    assert main(["ingest", "--docs", "2", "--archive", str(tmp_path / "none.tar.xz")]) == 1
    assert "no such archive" in capsys.readouterr().err
