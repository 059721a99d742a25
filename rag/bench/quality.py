"""Retrieval quality on the evaluation questions over the seeds index: hit@5 at article level for our
retrievers, the baseline pipeline and (optionally) the Milvus backend; and an int8 query encoder checked against
float32 (cosine of the query vectors, hit@5 with it)."""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from embeddings.base import Embedder
from embeddings.loader import load_embedder
from rag.config import Settings
from rag.index.dense import QueryCache
from rag.library import Library
from rag.types import Hit

from .baseline import Baseline

log = logging.getLogger(__name__)


def relevant_articles(lib: Library, question: dict) -> set[str]:
    """Article ids whose line range holds a relevant (source, line)."""
    out = set()
    for rel in question.get("relevant", []):
        for a in lib.index.articles.values():
            if a.source == rel["source"] and a.line_start <= rel["line"] <= a.line_end:
                out.add(a.id)
    return out


def hit_at(ranked_articles: Sequence[str], relevant: set[str], k: int = 5) -> float:
    """1.0 if one of the first ``k`` distinct articles is relevant: ``hit_at(["a", "a", "b"], {"b"}, 2) == 1.0``"""
    top = list(dict.fromkeys(ranked_articles))[:k]
    return 1.0 if relevant & set(top) else 0.0


def articles_of(hits: Sequence[Hit]) -> list[str]:
    return [h.article_id for h in hits]


def evaluate(search: Callable[[str], list[str]], items: Sequence[tuple[str, set[str]]]) -> float:
    return round(float(np.mean([hit_at(search(q), rel) for q, rel in items])), 4)


def int8_embedder(embedder: Embedder) -> Embedder | None:
    """A copy of a sentence-transformers embedder with its Linear layers dynamically quantised to int8."""
    import copy

    model = getattr(embedder, "model", None)
    if model is None:
        return None
    import torch

    quantised = copy.copy(embedder)
    quantised.model = torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear},
                                                             dtype=torch.qint8)
    quantised.name = embedder.name  # same vectors space, by construction
    quantised.precision = "float32"  # int8 layers take float32 inputs, not bfloat16
    return quantised


def quality(embedder: Embedder, settings: Settings, questions_path: Path, seeds_dir: Path,
            milvus: bool = True) -> dict:
    rows = [json.loads(line) for line in questions_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(settings.model_copy(update={"index_dir": Path(tmp) / "index", "progress": False}), embedder)
        lib.ingest_paths([seeds_dir])
        items = [(r["question"], rel) for r in rows if (rel := relevant_articles(lib, r))]
        out: dict = {"questions": len(items), "hit@5": {}}
        for name in ("bm25", "dense", "hybrid"):
            out["hit@5"][f"ours_{name}"] = evaluate(lambda q, n=name: articles_of(lib.search(q, k=20, retriever=n)),
                                                    items)
        index = lib.index
        base = Baseline(index.tokens, np.asarray(index.vectors), lib.tokenizer, lib.encode)
        for name in ("bm25", "dense", "hybrid"):
            out["hit@5"][f"baseline_{name}"] = evaluate(
                lambda q, n=name: [index.chunks[i].article_id for i in getattr(base, n)(q, 20)], items)
        if milvus:
            try:
                ms = lib.settings.model_copy(update={"backend": "milvus", "milvus_uri": str(Path(tmp) / "m.db")})
                mlib = Library(ms, embedder, lib.tokenizer)
                for name in ("bm25", "dense", "hybrid"):
                    out["hit@5"][f"milvus_{name}"] = evaluate(
                        lambda q, n=name: articles_of(mlib.search(q, k=20, retriever=n)), items)
                out["milvus_full_text"] = mlib.milvus().full_text
            except Exception as exc:  # report, do not fail the whole benchmark
                log.exception("milvus quality failed")
                out["milvus_error"] = f"{type(exc).__name__}: {exc}"
        q8 = int8_embedder(embedder)
        if q8 is not None:
            qs = [q for q, _ in items]
            began = time.perf_counter()
            v32 = np.vstack([embedder.embed_query(q) for q in qs])
            t32 = (time.perf_counter() - began) / len(qs)
            began = time.perf_counter()
            v8 = np.vstack([q8.embed_query(q) for q in qs])
            t8 = (time.perf_counter() - began) / len(qs)
            cos = np.sum(v32 * v8, axis=1)
            texts = [c.indexed_text for c in index.chunks[:32]]
            began = time.perf_counter()
            d32 = load_embedder(settings.model_copy(update={"embed_precision": "float32"})).embed_documents(texts)
            r32 = len(texts) / (time.perf_counter() - began)
            began = time.perf_counter()
            d8 = q8.embed_documents(texts)
            r8 = len(texts) / (time.perf_counter() - began)
            dcos = np.sum(d32 * d8, axis=1)
            began = time.perf_counter()
            dflt = embedder.embed_documents(texts)  # the configured passage precision (bfloat16 where native)
            rflt = len(texts) / (time.perf_counter() - began)
            fcos = np.sum(d32 * dflt, axis=1)
            out["passage_precision"] = {
                "precision": getattr(embedder, "passage_dtype", "float32"), "chunks_per_s": round(rflt, 1),
                "chunks_per_s_float32": round(r32, 1),
                "cosine_to_float32": {"mean": round(float(fcos.mean()), 6), "min": round(float(fcos.min()), 6)},
            }
            lib.encode = QueryCache(q8, 4096)
            out["int8_query_encoder"] = {
                "cosine_to_float32": {"mean": round(float(cos.mean()), 4), "min": round(float(cos.min()), 4)},
                "ms_per_query_float32": round(t32 * 1000, 2), "ms_per_query_int8": round(t8 * 1000, 2),
                "chunks_per_s_float32": round(r32, 1), "chunks_per_s_int8": round(r8, 1),
                "chunk_cosine_to_float32": {"mean": round(float(dcos.mean()), 4), "min": round(float(dcos.min()), 4)},
                "hit@5_dense": evaluate(lambda q: articles_of(lib.search(q, k=20, retriever="dense")), items),
                "hit@5_hybrid": evaluate(lambda q: articles_of(lib.search(q, k=20, retriever="hybrid")), items),
            }
        return out
