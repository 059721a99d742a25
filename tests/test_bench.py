"""The benchmark's parts (synthetic pages through the real parser, the memoising tokeniser, percentiles, vector
mixing) and a tiny end-to-end smoke run with the hash embedder. The real benchmark is ``python -m rag.bench``."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from rag.bench.__main__ import main, parse_size
from rag.bench.corpus import generate_pages, load_seeds
from rag.bench.fasttok import MemoTokenizer
from rag.bench.timing import percentile, summarise
from rag.bench.vectors import Mixer, calibrate
from rag.ingest.chunking import chunk_article
from rag.ingest.gazetteer import DISTRICTS
from rag.ingest.parse import parse_page


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path):
    return load_seeds(seeds_dir)


def test_seeds_are_split_into_sentences_and_skeletons(seeds) -> None:
    assert len(seeds.articles) == 31 and len(seeds.sentences) > 200
    assert all(seeds.sentences[i] for a in seeds.articles for p in a.paragraphs for i in p)


def test_synthetic_pages_parse_like_news(seeds) -> None:
    pages = list(itertools.islice(generate_pages(seeds, seed=3), 20))
    assert pages[0].text == next(generate_pages(seeds, seed=3)).text  # reproducible
    articles = [a for p in pages for a in parse_page(p.text, p.page.source)]
    written = sum(p.text.count("本报讯（") + p.text.count("摄影报道") for p in pages)
    assert len(articles) >= 0.9 * written
    assert len({a.id for a in articles}) >= 0.95 * len(articles)  # varied, hardly any copies (the bench dedups)
    assert len({d for a in articles for d in a.districts}) >= 10
    chunks = [(p, c) for p in pages for a in parse_page(p.text, p.page.source) for c in chunk_article(a, 350, 60)]
    known = sum(c.title in p.title_seed for p, c in chunks)
    assert known / len(chunks) > 0.9  # provenance of headings survives parsing


def test_memo_tokeniser_is_exact(seeds, tokenizer) -> None:
    memo = MemoTokenizer(tokenizer)
    texts = [c.indexed_text for p in itertools.islice(generate_pages(seeds, seed=4), 10)
             for a in parse_page(p.text, p.page.source) for c in chunk_article(a, 350, 60)]
    texts.append("經開區ＡＢＣ，“集体协商”2025年 上半年！")
    assert [memo(t) for t in texts] == [tokenizer(t) for t in texts]


def test_percentiles_by_hand() -> None:
    assert percentile([1, 2, 3, 4], 0.5) == 2 and percentile([5], 0.99) == 5
    assert summarise([{"p50": 1.0}, {"p50": 3.0}, {"p50": 2.0}])["p50"] == \
        {"median": 2.0, "p95": 3.0, "runs": [1.0, 3.0, 2.0]}
    assert parse_size("10k") == 10_000 and parse_size("1m") == 1_000_000 and parse_size("300") == 300


def test_mixed_vectors_are_unit_and_close_to_their_seeds(seeds) -> None:
    rng = np.random.default_rng(0)
    base = rng.standard_normal((len(seeds.texts_to_embed), 8)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    page = next(generate_pages(seeds, seed=5))
    chunks = [c for a in parse_page(page.text, page.page.source) for c in chunk_article(a, 350, 60)]
    vectors = Mixer(seeds, base, noise=0.0).chunks(chunks, [page] * len(chunks))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert calibrate(vectors, vectors)["mean"] == pytest.approx(1.0)
    assert len(DISTRICTS) == 17


def test_smoke_run_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["--sizes", "300", "--model", "hash-256", "--runs", "1", "--queries", "5", "--milvus-sizes", "300",
                 "--milvus-queries", "2", "--no-quality", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    entry = results["by_size"]["300"]
    assert entry["build"]["corpus"]["chunks"] >= 300 and entry["build"]["memo_tokeniser_mismatches"] == 0
    rates = entry["build"]["ingest_rates"]
    # a whole ingest (embedding, sentences and save included) is measured on its own sample of pages
    assert rates["embed_sample_chunks"] >= 48 and rates["embed_sample_sentences"] > rates["embed_sample_chunks"]
    assert 0 < rates["end_to_end"]["median"] < rates["tokenise"]["median"]
    for name in ("bm25", "dense", "hybrid", "answer"):
        assert entry["serve"]["latency_ms"][name]["p95"]["median"] > 0
    assert entry["serve"]["df_matches_counter"] is True
    serve = entry["serve"]
    # each phase's peak is its own (the high-water mark is reset per phase), never above the whole job's
    for phase in (serve["peak_rss_load_mb"], serve["peak_rss_queries_mb"], serve["add_page"]["peak_rss_mb"]):
        assert serve["rss_after_load_mb"] * 0.5 < phase <= serve["peak_rss_serve_mb"]
    split = serve["rss_after_queries_mb"]
    assert split["anon"] > 0 and split["file"] > 0 and split["anon"] + split["file"] <= serve["peak_rss_queries_mb"] * 1.05 + 8
    assert entry["baseline"]["latency_ms"]["hybrid"]["n"] >= 1
    assert entry["milvus"]["full_text"] is True and entry["milvus"]["queries"] == 2
    assert (out / "latency.png").stat().st_size > 1000


@pytest.mark.slow
def test_quality_job_with_the_real_model(real_library, seeds_dir: Path) -> None:
    from rag.bench.quality import quality

    root = Path(__file__).resolve().parent.parent
    out = quality(real_library.embedder, real_library.settings, root / "eval/data/questions.jsonl", seeds_dir,
                  milvus=False)
    assert out["questions"] >= 200
    assert out["hit@5"]["ours_hybrid"] >= 0.95 and out["hit@5"]["baseline_hybrid"] >= 0.9
    # int8 layers run in float32 whatever the passage precision; the configured precision stays close to float32
    assert out["int8_query_encoder"]["chunk_cosine_to_float32"]["min"] >= 0.9
    assert out["passage_precision"]["cosine_to_float32"]["min"] >= 0.999
