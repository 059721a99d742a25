"""``python -m eval --suite``: every evaluation set, each over its own cached index, through BM25, dense and the
hybrid whose fusion is chosen on the set's dev split, then the answers; one table per set and a summary.

Per set: build or reuse the BEIR set (:mod:`eval.datasets`), open or build its index through the product's ingest
(:mod:`eval.setindex`), retrieve every query with BM25 and dense, choose the fusion on dev
(:mod:`eval.fusion_select`) and store it with the index (so ``Library.search`` and the answers use it), retrieve
with that hybrid, compare the three on test with a paired randomisation test, answer the test questions.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from rag import Settings
from rag.index.fusion import save_fusion

from .context import Context
from .dataset import load_beir
from .datasets import ALL, PUBLIC, build_set, build_squad
from .datasets.common import DEFAULT_DATA, EVAL_CACHE
from .fusion_select import select_fusion
from .run import answers_section, retrieval_section, retrieve_all
from .runs import chunk_run
from .sample import sample_dir
from .setindex import open_set_index
from .validate import validate

log = logging.getLogger(__name__)

SUITES = {"public": PUBLIC, "all": ALL, **{name: (name,) for name in ALL}}  # a suite of one set: its name
NAMES = ("bm25", "dense", "hybrid")
KEYS = {"hit_rate@1": "hit@1", "hit_rate@5": "hit@5", "mrr@10": "mrr@10", "ndcg@10": "ndcg@10",
        "recall@5": "recall@5", "recall@10": "recall@10", "evidence_hit@5": "evidence@5"}


@dataclass(frozen=True)
class SuiteConfig:
    sets: tuple[str, ...] = ALL
    squad: tuple[Path, ...] = ()  # further SQuAD files, each a set named after the file
    data: Path = DEFAULT_DATA
    cache: Path = EVAL_CACHE
    out: Path | None = Path("eval/out/suite")
    limit: int | None = None  # at most this many dev and this many test questions per set (seeded sample)
    docs: int | None = None  # at most this many documents per set: those the sampled questions need, then others
    seed: int = 0
    model: str | None = None
    answers: bool = True
    progress: bool = True
    settings: dict[str, object] = field(default_factory=dict)


def _set_dirs(config: SuiteConfig) -> list[Path]:
    dirs = [build_set(name, config.data, config.cache, config.seed, progress=config.progress)
            for name in config.sets]
    return dirs + [build_squad(path, out_root=config.cache, seed=config.seed) for path in config.squad]


def _summary(retrieval: dict, answers: dict) -> dict:
    out = {"retrievers": {n: {KEYS[m]: v for m, v in retrieval["metrics"][n]["overall"].items() if m in KEYS}
                          for n in NAMES}}
    out["retrievers"] = {n: {**m, "n": retrieval["metrics"][n]["overall"].get("n")}
                         for n, m in out["retrievers"].items()}
    if "skipped" in answers:
        out["answers"] = answers
    else:
        out["answers"] = {"n": answers["n"], "gold": answers["gold_fact_rate"],
                          "false_refusals": answers["false_refusal_rate"],
                          "unanswerable_refused": answers["refusal_recall"],
                          "answer_chars_median": answers["answer_chars_median"],
                          "typed_answer_chars_median": answers.get("typed_answer_chars_median"),
                          "short_answer_chars_median": answers.get("short_answer_chars_median"),
                          "short_answer_right": answers.get("short_answer_right"),
                          "ask_p50_ms": _ms(answers["seconds_p50"]), "ask_p95_ms": _ms(answers["seconds_p95"]),
                          "markers_supported": answers["markers_supported"]}
    best = {m: max(out["retrievers"]["bm25"][m] or 0.0, out["retrievers"]["dense"][m] or 0.0) for m in ("hit@1",
                                                                                                      "mrr@10")}
    out["hybrid_vs_best_single"] = {m: round((out["retrievers"]["hybrid"][m] or 0.0) - best[m], 4) for m in best}
    return out


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def evaluate_set(set_dir: Path, config: SuiteConfig) -> tuple[dict, dict]:
    """(summary, full report) of one set; outputs under ``config.out / <name>`` when set."""
    from .report import write_outputs

    started = time.perf_counter()
    name, index_root = set_dir.name, set_dir / "index"
    if config.limit or config.docs:
        set_dir = sample_dir(set_dir, config.limit, config.docs, config.seed)
    dataset = replace(load_beir(set_dir), name=name)
    validate(dataset)
    overrides = {**config.settings, "progress": config.progress}
    if config.model:
        overrides["model"] = config.model
    lib, dataset, index_info = open_set_index(dataset, set_dir, Settings(**overrides), index_root=index_root)
    validate(dataset, lib.index.articles)
    timing = {"index": time.perf_counter() - started}
    ctx = Context(dataset, lib, lib.settings, "test")
    t = time.perf_counter()
    retrieve_all(ctx, ("bm25", "dense"), config.progress)
    choice = select_fusion(dataset.qrels_for("dev"), ctx.chunks, lib.settings.candidates)
    fusion = choice["fusion"]
    save_fusion(lib.index_dir, fusion, {k: v for k, v in choice.items() if k != "fusion"} | {"limit": config.limit})
    hybrid = lib.index.retriever("hybrid", lib.tokenizer, lib.encode, fusion=fusion.method, rrf_k=fusion.rrf_k,
                                 weights=fusion.weights, candidates=lib.settings.candidates,
                                 margin_gain=fusion.margin_gain)
    ctx.chunks["hybrid"] = chunk_run(hybrid, list(dataset.queries.values()), progress=config.progress,
                                     label=f"hybrid {fusion.label()}")
    retrieval = retrieval_section(ctx, NAMES)
    timing["retrieval"] = time.perf_counter() - t
    t = time.perf_counter()
    answers, records = answers_section(ctx, config.progress) if config.answers else ({"skipped": "--no-answers"}, [])
    timing["answers"] = time.perf_counter() - t
    timing["total"] = time.perf_counter() - started
    choice = {k: v for k, v in choice.items() if k != "fusion"}
    report = {
        "dataset": {"name": dataset.name, "path": str(set_dir), "split": "test", "queries": len(ctx.queries),
                    "judged": len(dataset.qrels_for("test")), "documents": len(dataset.corpus),
                    "limit": config.limit, "docs_limit": config.docs},
        "index": {"model": lib.index.meta.model, "articles": len(lib.index.articles), "chunks": len(lib.index.chunks),
                  "chunk_size": lib.settings.chunk_size, "index_dir": str(lib.index_dir), **index_info},
        "primary": "hybrid", "retrievers": list(NAMES), "retrieval": retrieval["metrics"],
        "recall_curve": retrieval["recall_curve"], "comparison": retrieval["comparison"],
        "fusion": choice, "tuning": {}, "answers": answers,
        "timing_seconds": {k: round(v, 1) for k, v in timing.items()},
    }
    if config.out is not None:
        write_outputs(report, ctx, retrieval["per_query"], records, config.out / dataset.name)
    report["_records"] = records  # for the suite's answer-length plot; not written
    summary = _summary(retrieval, answers)
    summary.update({"fusion": choice["label"], "fusion_dev": choice["dev"], "n_dev": choice["n_dev"],
                    "significance": _significance(retrieval["comparison"]), "index": index_info,
                    "queries": len(ctx.queries), "documents": len(dataset.corpus),
                    "seconds": report["timing_seconds"]})
    return summary, report


def _significance(comparison: dict) -> dict:
    """Hybrid against each single retriever: difference and p-value per metric (paired, on test)."""
    if not comparison:
        return {}
    s, p = comparison["scores"], comparison["p_values"]
    return {"test": comparison["stat_test"], "n": comparison["n_queries"],
            **{f"hybrid-{o}": {m: {"diff": round(s["hybrid"][m] - s[o][m], 4), "p": p["hybrid"][o][m]}
                               for m in comparison["metrics"]} for o in ("bm25", "dense")}}


def run_suite(config: SuiteConfig) -> dict:
    """Every set of the suite; returns ``{"sets": {name: summary}, "reports": {name: full report}, ...}``."""
    from .suite_report import write_suite

    started = time.perf_counter()
    sets: dict[str, dict] = {}
    reports: dict[str, dict] = {}
    for set_dir in _set_dirs(config):
        log.info("evaluating %s", set_dir.name)
        sets[set_dir.name], reports[set_dir.name] = evaluate_set(set_dir, config)
    suite = {"sets": sets, "limit": config.limit, "docs": config.docs, "seed": config.seed,
             "seconds": round(time.perf_counter() - started, 1)}
    if config.out is not None:
        write_suite(suite, reports, config.out)
    return {**suite, "reports": reports}
