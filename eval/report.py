"""Outputs of an evaluation: report.json, failures.jsonl (one line per question that failed a check) and plots."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

from .answers import AnswerRecord
from .context import Context
from .dataset import Query
from .metrics import PerQuery

log = logging.getLogger(__name__)


def _failed_checks(q: Query, retrieval: Mapping[str, Mapping[str, float]], record: AnswerRecord | None,
                   threshold: float) -> list[str]:
    checks = []
    if retrieval.get("hit_rate@5", {}).get(q.id) == 0:
        checks.append("no relevant article in top 5")
    if retrieval.get("evidence_hit@5", {}).get(q.id) == 0:
        checks.append("no evidence in top-5 chunks")
    if retrieval.get("list_evidence_recall@10", {}).get(q.id, 1.0) < 1.0:
        checks.append("list evidence missing from top-10 chunks")
    if record is not None:
        refused = record.refused_at(threshold)
        if q.expects_refusal and not refused:
            checks.append("answered an unanswerable question")
        elif not q.expects_refusal and refused:
            checks.append("refused an answerable question")
        elif record.gold is False:
            checks.append("gold fact missing from the answer")
        if not refused and not record.markers_ok:
            checks.append("unsupported citation marker")
    return checks


def failures(ctx: Context, per_query: PerQuery, records: Sequence[AnswerRecord], primary: str) -> list[dict]:
    """Questions that failed any check, with what was expected and what came back."""
    index = ctx.lib.index
    threshold = ctx.settings.refusal_threshold
    by_qid = {r.qid: r for r in records if r.with_history}
    rows = []
    for q in ctx.queries:
        record = by_qid.get(q.id)
        checks = _failed_checks(q, per_query, record, threshold)
        if not checks:
            continue
        top: list[str] = []
        for hit in ctx.chunks[primary].get(q.id, []):
            title = index.articles[hit.article_id].title if hit.article_id in index.articles else hit.chunk.title
            if title not in top:
                top.append(title)
            if len(top) == 5:
                break
        judged = ctx.dataset.qrels_for("all").get(q.id, {})
        rows.append({
            "qid": q.id, "question": q.text, "type": q.type, "split": q.split, "failed": checks,
            "expected": {
                "answer": q.answer, "items": list(q.items),
                "articles": [ctx.dataset.corpus[d].title for d in judged if d in ctx.dataset.corpus],
                "evidence": [e.text for e in q.evidence],
            },
            "got": {
                "top5_titles": top,
                "answer": None if record is None else record.text,
                "refused": None if record is None else record.refused_at(threshold),
                "coverage": None if record is None else record.coverage,
                "question_used": None if record is None else record.question_used,
            },
        })
    return rows


def write_outputs(report: dict, ctx: Context, per_query: Mapping[str, PerQuery], records: Sequence[AnswerRecord],
                  out: Path) -> None:
    from .plots import plot_all

    out.mkdir(parents=True, exist_ok=True)
    primary = report["primary"]
    rows = failures(ctx, per_query[primary], records, primary)
    report["failures"] = len(rows)
    report["files"] = {"report": str(out / "report.json"), "failures": str(out / "failures.jsonl")}
    report["files"].update({k: str(v) for k, v in plot_all(report, out).items()})
    (out / "failures.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                        encoding="utf-8")
    full = {**report, "answer_records": [asdict(r) for r in records]}
    (out / "report.json").write_text(json.dumps(full, ensure_ascii=False, indent=2, default=str) + "\n",
                                     encoding="utf-8")
    log.info("wrote %s", ", ".join(report["files"].values()))
