"""The evaluation, end to end: validate → index → retrieve with every retriever → metrics, comparison and fusion
tuning → answers → report.json, failures.jsonl and plots. ``python -m eval`` is the command line for it."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from rag import Settings

from .answer_metrics import THRESHOLDS, answer_summary, threshold_sweep
from .answers import AnswerRecord, answer_all
from .build_data import BEIR_DIR, SEEDS_DIR
from .context import Context
from .corpus import open_index
from .dataset import DatasetError, Qrels, Query, load_beir
from .encoder import PrimedEncoder
from .metrics import CURVE_KS, evidence_per_query, mean, ranx_per_query, summarise
from .report import write_outputs
from .runs import RETRIEVERS, Run, article_run, build, chunk_run, search_text
from .significance import compare_runs
from .tuning import fuse_rrf, fuse_weighted, tune_rrf, tune_weights
from .validate import validate

log = logging.getLogger(__name__)

COMPARED = ("mrr@10", "ndcg@10", "recall@5", "hit_rate@1")


@dataclass(frozen=True)
class EvalConfig:
    retrievers: tuple[str, ...] = RETRIEVERS
    split: str = "test"
    out: Path | None = Path("eval/out")  # None: write nothing
    dataset: Path | None = None  # None: the seeds' question set, over the seeds ingested by the product
    index_dir: Path | None = None  # None: a temporary index, built for this run
    model: str | None = None
    answers: bool = True
    progress: bool = True
    seeds_dir: Path = SEEDS_DIR
    settings: dict[str, object] = field(default_factory=dict)  # further Settings overrides


def primary_retriever(settings: Settings, names: tuple[str, ...]) -> str:
    """The configuration the product answers with, if it is among ``names``."""
    wanted = {"hybrid": f"hybrid-{'rrf' if settings.fusion == 'rrf' else 'weighted'}"}.get(settings.retriever,
                                                                                          settings.retriever)
    return wanted if wanted in names else names[0]


def _means(qrels: Qrels, run: Run) -> dict[str, float | None]:
    return {m: mean(v.values()) for m, v in ranx_per_query(qrels, run).items()}


def retrieve_all(ctx: Context, names: tuple[str, ...], progress: bool) -> None:
    """Every query through BM25, dense (both needed for tuning) and the named retrievers, into ``ctx.chunks``."""
    everything = list(ctx.dataset.queries.values())
    encoder = PrimedEncoder(ctx.lib.embedder, ctx.lib.encode)
    encoder.prime([search_text(q) for q in everything] + [q.text.strip() for q in everything if q.history],
                  ctx.settings.embed_batch_size, progress)
    ctx.lib.encode = encoder  # answers search through the library: let them use the primed vectors too
    for name in dict.fromkeys(("bm25", "dense", *names)):
        ctx.chunks[name] = chunk_run(build(ctx.lib, ctx.spec(name), encoder), everything, progress=progress,
                                     label=name)


def retrieval_section(ctx: Context, names: tuple[str, ...]) -> dict:
    qrels = ctx.dataset.qrels_for(ctx.split)
    out: dict[str, dict] = {"metrics": {}, "recall_curve": {}, "per_query": {}}
    curve = [f"recall@{k}" for k in CURVE_KS]
    for name in names:
        run = article_run(ctx.chunks[name], list(qrels))
        per_query = {**ranx_per_query(qrels, run), **evidence_per_query(ctx.queries, ctx.chunks[name])}
        out["metrics"][name] = summarise(per_query, ctx.types)
        out["per_query"][name] = per_query
        curve_values = ranx_per_query(qrels, run, curve)
        out["recall_curve"][name] = {k: mean(curve_values[m].values()) for k, m in zip(CURVE_KS, curve, strict=True)}
    runs = {name: article_run(ctx.chunks[name], list(qrels)) for name in names}
    out["comparison"] = compare_runs(qrels, runs, COMPARED)
    return out


def tuning_section(ctx: Context, progress: bool) -> dict:
    """Fusion weights and RRF k tuned on dev (ranx), then evaluated on test, article-level and in the product."""
    if not {"dev", "test"} <= set(ctx.dataset.qrels):
        return {"skipped": "the dataset needs both qrels/dev.tsv and qrels/test.tsv"}
    dev, test = ctx.dataset.qrels_for("dev"), ctx.dataset.qrels_for("test")
    dev_runs = [article_run(ctx.chunks[n], list(dev)) for n in ("bm25", "dense")]
    test_runs = [article_run(ctx.chunks[n], list(test)) for n in ("bm25", "dense")]
    s = ctx.settings
    weighted = tune_weights(dev, dev_runs)
    rrf = tune_rrf(dev, dev_runs, default=s.rrf_k)
    test_queries = ctx.dataset.queries_in("test")

    def product(name: str, **overrides) -> dict:
        retriever = build(ctx.lib, ctx.spec(name, **overrides), ctx.lib.encode)
        chunks = chunk_run(retriever, test_queries, progress=progress, label=f"{name} tuned")
        return _means(test, article_run(chunks, list(test)))

    weighted["test_fused"] = _means(test, fuse_weighted(test_runs, weighted["weights"]))
    weighted["test_fused_default"] = _means(test, fuse_weighted(test_runs, (s.bm25_weight, s.dense_weight)))
    weighted["test_product"] = product("hybrid-weighted", weights=weighted["weights"])
    rrf["test_fused"] = _means(test, fuse_rrf(test_runs, rrf["k"]))
    rrf["test_fused_default"] = _means(test, fuse_rrf(test_runs, s.rrf_k))
    rrf["test_product"] = product("hybrid-rrf", rrf_k=rrf["k"])
    return {"weighted": weighted, "rrf": rrf, "default_weights": [s.bm25_weight, s.dense_weight],
            "default_rrf_k": s.rrf_k, "n_dev": len(dev), "n_test": len(test)}


def answers_section(ctx: Context, progress: bool) -> tuple[dict, list[AnswerRecord]]:
    queries = [q for q in ctx.queries if q.has_gold]
    if not queries:
        return {"skipped": "no query carries an answer field"}, []
    records = answer_all(ctx.lib, queries, progress)
    by_id: Mapping[str, Query] = ctx.dataset.queries
    summary = answer_summary(records, by_id, ctx.settings.refusal_threshold)
    summary["sweep"] = threshold_sweep(records, by_id, sorted({*THRESHOLDS, ctx.settings.refusal_threshold}))
    return summary, records


def evaluate(config: EvalConfig) -> dict:
    """Run the whole evaluation; returns the report (also written to ``config.out`` when set)."""
    started = time.perf_counter()
    timing: dict[str, float] = {}
    dataset = load_beir(config.dataset or BEIR_DIR)
    if config.dataset is None:
        dataset = replace(dataset, name="seeds")
    validate(dataset)
    if not dataset.queries_in(config.split):
        raise DatasetError(f"dataset {dataset.name!r} has no queries in split {config.split!r} "
                           f"(its splits: {', '.join(dataset.splits) or 'none'}; or use --split all)")
    with tempfile.TemporaryDirectory(prefix="ghnews-eval-") as tmp:
        overrides = {**config.settings, "index_dir": config.index_dir or Path(tmp) / "index",
                     "progress": config.progress}
        if config.model:
            overrides["model"] = config.model
        settings = Settings(**overrides)
        lib = open_index(settings, dataset if config.dataset else None, config.seeds_dir)
        validate(dataset, lib.index.articles)
        timing["model_and_index"] = time.perf_counter() - started
        ctx = Context(dataset, lib, settings, config.split)

        t = time.perf_counter()
        names = tuple(dict.fromkeys(config.retrievers))
        retrieve_all(ctx, names, config.progress)
        retrieval = retrieval_section(ctx, names)
        tuning = tuning_section(ctx, config.progress)
        timing["retrieval"] = time.perf_counter() - t

        t = time.perf_counter()
        answers, records = answers_section(ctx, config.progress) if config.answers else ({"skipped": "--no-answers"}, [])
        timing["answers"] = time.perf_counter() - t
        timing["total"] = time.perf_counter() - started
        report = {
            "dataset": {"name": dataset.name, "path": str(config.dataset or BEIR_DIR), "split": config.split,
                        "queries": len(ctx.queries), "judged": len(dataset.qrels_for(config.split)),
                        "documents": len(dataset.corpus)},
            "index": {"model": lib.index.meta.model, "articles": len(lib.index.articles),
                      "chunks": len(lib.index.chunks), "chunk_size": settings.chunk_size,
                      "index_dir": str(settings.index_dir) if config.index_dir else "(temporary)"},
            "primary": primary_retriever(settings, names),
            "retrievers": list(names),
            "retrieval": retrieval["metrics"],
            "recall_curve": retrieval["recall_curve"],
            "comparison": retrieval["comparison"],
            "tuning": tuning,
            "answers": answers,
            "timing_seconds": {k: round(v, 1) for k, v in timing.items()},
        }
        if config.out is not None:
            write_outputs(report, ctx, retrieval["per_query"], records, config.out)
    return report
