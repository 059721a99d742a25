"""Outputs of a suite run: the summary table (sets × metrics), per-set fusion lines, ``report.json`` shaped
``{"sets": {name: {"retrievers": {...}, "answers": {...}, ...}}}`` and the suite plots."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .plots import _pyplot
from .table import table

log = logging.getLogger(__name__)

HEADERS = ["set", "retriever", "Hit@1", "Hit@5", "MRR@10", "nDCG@10", "gold", "false ref", "unans ref", "len med",
           "typed len", "span len", "span right", "ask p50 ms", "ask p95 ms"]


def summary_table(suite: dict) -> str:
    rows = []
    for name, s in suite["sets"].items():
        a = s["answers"] if "skipped" not in s["answers"] else {}
        for n, m in s["retrievers"].items():
            answer = [a.get(k) for k in ("gold", "false_refusals", "unanswerable_refused")] if n == "hybrid" \
                else [None] * 3
            answer += [_whole(a.get(k)) if n == "hybrid" else None
                       for k in ("answer_chars_median", "typed_answer_chars_median", "short_answer_chars_median")]
            answer += [a.get("short_answer_right") if n == "hybrid" else None]
            answer += [_whole(a.get(k)) if n == "hybrid" else None for k in ("ask_p50_ms", "ask_p95_ms")]
            label = f"{n} ({s['fusion']})" if n == "hybrid" else n
            rows.append([name if n == "bm25" else "", label, m.get("hit@1"), m.get("hit@5"), m.get("mrr@10"),
                         m.get("ndcg@10"), *answer])
    limit = f", at most {suite['limit']} dev and {suite['limit']} test questions per set" if suite.get("limit") else ""
    limit += f", at most {suite['docs']} documents per set" if suite.get("docs") else ""
    title = (f"Summary: test split{limit}; answers with the hybrid (gold = gold answer in the answer, false ref = "
             f"answerable refused, unans ref = unanswerable refused, len = answer characters; typed len and span len: "
             f"the answers that lead with a span, whole and the span alone; span right: of those holding the gold, the span is it)")
    return f"{title}\n{table(HEADERS, rows)}"


def _whole(value: float | None) -> str | None:
    return None if value is None else f"{value:.0f}"


def significance_table(suite: dict) -> str:
    rows = []
    for name, s in suite["sets"].items():
        sig = s.get("significance") or {}
        for other in ("bm25", "dense"):
            pair = sig.get(f"hybrid-{other}", {})
            rows.append([name, f"hybrid - {other}",
                         *(f"{pair[m]['diff']:+.3f} (p={pair[m]['p']:.3f})" if m in pair else "-"
                           for m in ("hit_rate@1", "mrr@10", "ndcg@10"))])
        rows.append(["", f"fusion chosen on dev ({s['n_dev']} q)", s["fusion"], "", ""])
    return ("Hybrid against each single retriever on test (paired randomisation test, sign flips)\n"
            + table(["set", "pair", "Hit@1", "MRR@10", "nDCG@10"], rows))


def render_suite(suite: dict) -> str:
    times = ", ".join(f"{n} {s['seconds']['total']:.0f}s" for n, s in suite["sets"].items())
    return "\n\n".join([summary_table(suite), significance_table(suite),
                        f"Time: {suite['seconds']:.0f}s in all ({times})"])


def _bars(suite: dict, path: Path) -> Path:
    plt = _pyplot()
    names = list(suite["sets"])
    metrics = ("hit@1", "hit@5", "mrr@10", "ndcg@10")
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 4.2), dpi=110, squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        retrievers = suite["sets"][name]["retrievers"]
        width = 0.8 / len(retrievers)
        for i, (r, m) in enumerate(retrievers.items()):
            xs = [j + (i - (len(retrievers) - 1) / 2) * width for j in range(len(metrics))]
            ax.bar(xs, [m.get(k) or 0.0 for k in metrics], width, label=r)
        ax.set_xticks(range(len(metrics)), metrics)
        ax.set_ylim(0, 1.05)
        ax.set_title(name)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _refusals(reports: dict, path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 5), dpi=110)
    for name, report in reports.items():
        sweep = report["answers"].get("sweep") or []
        if sweep and any(row["refusal_recall"] is not None for row in sweep):
            ax.plot([r["false_refusal_rate"] or 0.0 for r in sweep], [r["refusal_recall"] or 0.0 for r in sweep],
                    marker="o", markersize=3, label=name)
        elif sweep:  # no should-refuse question: plot the false refusals against the threshold instead
            ax.plot([r["false_refusal_rate"] or 0.0 for r in sweep], [r["threshold"] for r in sweep], linestyle=":",
                    label=f"{name} (no unanswerable; y = threshold)")
    ax.set_xlabel("false-refusal rate")
    ax.set_ylabel("refusal recall")
    ax.set_title("Refusal trade-off over refusal_threshold, per set")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _lengths(reports: dict, path: Path) -> Path:
    plt = _pyplot()
    from .text import strip_markers

    data, labels = [], []
    for name, report in reports.items():
        lengths = [len(strip_markers(r.text)) for r in report.get("_records", []) if r.with_history and r.answered]
        if lengths:
            data.append(lengths)
            labels.append(name)
    fig, ax = plt.subplots(figsize=(6.5, 4.5), dpi=110)
    if data:
        ax.boxplot(data, tick_labels=labels, showfliers=False)
    ax.set_ylabel("answer length (characters, markers removed)")
    ax.set_title("Answer length per set")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def write_suite(suite: dict, reports: dict, out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    files = {"report": out / "report.json", "summary": out / "summary.txt",
             "bars": _bars(suite, out / "sets_metrics.png"), "refusals": _refusals(reports, out / "refusal_tradeoff.png"),
             "lengths": _lengths(reports, out / "answer_length.png")}
    suite["files"] = {k: str(v) for k, v in files.items()}
    (out / "report.json").write_text(json.dumps(suite, ensure_ascii=False, indent=2, default=str) + "\n",
                                     encoding="utf-8")
    (out / "summary.txt").write_text(render_suite(suite) + "\n", encoding="utf-8")
    return suite["files"]
