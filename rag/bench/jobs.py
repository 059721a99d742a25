"""One benchmark job per process (so each reports its own peak RSS): build, serve, baseline, milvus, quality."""

from __future__ import annotations

import json
import logging
import os
import random
from pathlib import Path

import numpy as np

from rag.config import Settings

from .corpus import load_seeds
from .timing import Timer, peak_rss_mb

log = logging.getLogger(__name__)


def _common(spec: dict):
    from embeddings.loader import load_embedder

    settings = Settings(model=spec["model"], progress=False, index_dir=Path(spec["out"]) / "unused")
    embedder = load_embedder(settings)
    seeds = load_seeds(Path(spec["seeds"]))
    from .vectors import seed_vectors

    return settings, embedder, seeds, seed_vectors(embedder, seeds, Path(spec["out"]))


def _queries(spec: dict) -> list[str]:
    from .serve import questions

    rows = questions(Path(spec["questions"]))
    qs = [r["question"] for r in rows]
    random.Random(0).shuffle(qs)
    return qs[: spec["queries"]]


def run_job(spec: dict) -> dict:
    kind = spec["kind"]
    out = Path(spec["out"])
    if kind == "quality":
        from .quality import quality

        settings, embedder, _, _ = _common(spec)
        return quality(embedder, settings, Path(spec["questions"]), Path(spec["seeds"]), spec.get("milvus", True))
    settings, embedder, seeds, seed_vecs = _common(spec)
    index_dir = out / f"index-{spec['size']}"
    if kind == "build":
        from .build import build_size

        return build_size(spec["size"], seeds, seed_vecs, embedder, settings, out, spec["runs"],
                          spec["sentence_vectors"])
    if kind == "serve":
        from .serve import serve_size

        return serve_size(index_dir, embedder, settings, _queries(spec), spec["runs"], seeds, seed_vecs)
    if kind == "baseline":
        from rag.index import store
        from rag.index.dense import QueryCache
        from rag.ingest.tokenize import Tokenizer

        from .baseline import Baseline, time_baseline

        index, _ = store.load(index_dir, embedder.name, settings.ann_threshold)
        with Timer() as t:
            base = Baseline(index.tokens, np.asarray(index.vectors), Tokenizer(), QueryCache(embedder))
        result = time_baseline(base, _queries(spec)[: spec.get("baseline_queries", 3)], spec["limit_s"])
        return {"latency_ms": result, "setup_seconds": round(t.seconds, 1), "peak_rss_mb": peak_rss_mb()}
    if kind == "milvus":
        from .milvus_side import milvus_size

        uri = spec.get("milvus_uri") or str(out / f"milvus-{spec['size']}.db")
        if uri.endswith(".db") and os.path.exists(uri):
            os.remove(uri)
        return milvus_size(index_dir, embedder, settings, _queries(spec), spec["runs"], uri)
    raise ValueError(f"unknown job {kind!r}")


def main_job(spec_json: str, result_path: str) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    spec = json.loads(spec_json)
    result = run_job(spec)
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0
