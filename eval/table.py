"""The terminal summary of a report: plain-text tables with aligned columns."""

from __future__ import annotations

from collections.abc import Sequence

from .plots import BAR_METRICS

SHORT = {"recall@5": "R@5", "recall@10": "R@10", "hit_rate@1": "Hit@1", "hit_rate@5": "Hit@5", "mrr@10": "MRR@10",
         "ndcg@10": "nDCG@10", "map": "MAP", "evidence_hit@1": "Ev@1", "evidence_hit@5": "Ev@5",
         "evidence_hit@10": "Ev@10", "list_evidence_recall@10": "ListEvR@10"}


def fmt(value: object, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell; the first column left-aligned, the others right-aligned.

    >>> print(table(["name", "x"], [["a", 0.5], ["bb", None]]))
    name      x
    ----  -----
    a     0.500
    bb        -
    """
    cells = [[str(h) for h in headers]] + [[fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    return "\n".join([line(cells[0]), line(["-" * w for w in widths]), *map(line, cells[1:])])


def _retrieval(report: dict) -> str:
    names = report["retrievers"]
    metrics = ["recall@5", "recall@10", *[m for m in BAR_METRICS if m not in ("recall@5",)]]
    rows = [[n + (" *" if n == report["primary"] else ""), *(report["retrieval"][n]["overall"].get(m) for m in metrics)]
            for n in names]
    n = report["retrieval"][names[0]]["overall"].get("n")
    title = f"Retrieval, article level (ranx) and evidence level - {n} queries (* = the product's configuration)"
    return f"{title}\n{table(['retriever', *(SHORT[m] for m in metrics)], rows)}"


def _by_type(report: dict) -> str:
    names, primary = report["retrievers"], report["primary"]
    by = report["retrieval"][primary]["by_type"]
    answers = report["answers"].get("by_type", {})
    headers = ["type", "n", *(f"MRR {n}" for n in names), "Ev@5*", "ListEvR*", "gold*", "refused*"]
    rows = []
    for t in sorted(set(by) | set(answers)):
        row = [t, by.get(t, {}).get("n") or answers.get(t, {}).get("n")]
        row += [report["retrieval"][n]["by_type"].get(t, {}).get("mrr@10") for n in names]
        row += [by.get(t, {}).get("evidence_hit@5"), by.get(t, {}).get("list_evidence_recall@10"),
                answers.get(t, {}).get("gold_fact_rate"), answers.get(t, {}).get("refused")]
        rows.append(row)
    return f"By question type (* = {primary}; gold/refused = answers)\n{table(headers, rows)}"


def _comparison(report: dict) -> str:
    cmp = report.get("comparison") or {}
    if not cmp:
        return ""
    names, metrics = list(cmp["scores"]), cmp["metrics"]
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            row: list[object] = [f"{a} vs {b}"]
            for m in metrics:
                diff = cmp["scores"][a][m] - cmp["scores"][b][m]
                row.append(f"{diff:+.3f} (p={cmp['p_values'][a][b][m]:.3f})")
            rows.append(row)
    title = (f"Paired comparison ({cmp['stat_test']}, {cmp['n_queries']} queries): "
             f"difference A-B and p-value, significant when p < {cmp['max_p']}")
    return f"{title}\n{table(['A vs B', *(SHORT.get(m, m) for m in metrics)], rows)}"


def _tuning(report: dict) -> str:
    tuning = report.get("tuning") or {}
    if not tuning or "skipped" in tuning:
        return f"Fusion tuning: {tuning.get('skipped', 'skipped')}" if tuning else ""
    w, r = tuning["weighted"], tuning["rrf"]
    metric = w["metric"]
    rows = [
        ["weighted (bm25, dense)", f"{tuple(tuning['default_weights'])}", f"{tuple(w['weights'])}", w["score"],
         w["test_fused_default"][metric], w["test_fused"][metric], w["test_fused_default"]["mrr@10"],
         w["test_fused"]["mrr@10"], w["test_product"]["mrr@10"]],
        ["rrf k", tuning["default_rrf_k"], r["k"], r["score"], r["test_fused_default"][metric],
         r["test_fused"][metric], r["test_fused_default"]["mrr@10"], r["test_fused"]["mrr@10"],
         r["test_product"]["mrr@10"]],
    ]
    headers = ["fusion", "default", "tuned on dev", f"dev {metric}", f"test {metric} default", "tuned",
               "test MRR default", "tuned", "product MRR tuned"]
    title = (f"Fusion tuned on dev ({tuning['n_dev']} queries, ranx optimize_fusion / rrf grid), "
             f"evaluated on test ({tuning['n_test']} queries)")
    return f"{title}\n{table(headers, rows)}"


def _answers(report: dict) -> str:
    a = report.get("answers") or {}
    if "skipped" in a:
        return f"Answers: skipped ({a['skipped']})"
    rows = [
        ["gold fact in answer (answerable questions)", a["gold_fact_rate"]],
        ["every [n] marker supported (answered questions)", a["markers_supported"]],
        ["answers with an unsupported marker", a["answers_with_unsupported_markers"]],
        ["refusal precision", a["refusal_precision"]],
        ["refusal recall (unanswerable refused)", a["refusal_recall"]],
        ["false-refusal rate (answerable refused)", a["false_refusal_rate"]],
        [f"follow-ups with history ({a['n_followups']})", a["followup_gold_with_history"]],
        [f"follow-ups without history ({a['n_followups']})", a["followup_gold_without_history"]],
        ["seconds per answer (mean / max)", f"{a['seconds_mean']:.2f} / {a['seconds_max']:.2f}"],
        ["median answer characters (all answered)", a.get("answer_chars_median")],
        [f"median answer / span characters (span-led, {a.get('typed_answers', 0)})",
         f"{a.get('typed_answer_chars_median') or 0:.0f} / {a.get('short_answer_chars_median') or 0:.0f}"],
        ["span-led answers holding the gold whose span is it", a.get("short_answer_right")],
    ]
    sweep = [[f"{row['threshold']:.2f}" + (" *" if abs(row["threshold"] - a["threshold"]) < 1e-9 else ""),
              row["refusal_recall"], row["false_refusal_rate"], row["refusal_precision"],
              row["gold_fact_rate"]] for row in a["sweep"]
             if round(row["threshold"] * 10, 6).is_integer() or abs(row["threshold"] - a["threshold"]) < 1e-9]
    return (f"Answers ({a['n']} questions, refusal_threshold {a['threshold']})\n{table(['metric', 'value'], rows)}"
            f"\n\nRefusal threshold sweep (one run, coverage per question; * = configured)\n"
            f"{table(['threshold', 'refusal recall', 'false refusals', 'refusal precision', 'gold rate'], sweep)}")


def render(report: dict) -> str:
    ds, idx, tm = report["dataset"], report["index"], report["timing_seconds"]
    head = (f"Dataset {ds['name']} ({ds['path']}), split {ds['split']}: {ds['queries']} queries, {ds['judged']} judged, "
            f"{ds['documents']} documents | index: {idx['articles']} articles, {idx['chunks']} chunks, "
            f"model {idx['model']}")
    parts = [head, _retrieval(report), _by_type(report), _comparison(report), _tuning(report), _answers(report)]
    timing = ", ".join(f"{k} {v:.1f}s" for k, v in tm.items())
    tail = f"Time: {timing}"
    if report.get("files"):
        tail += f"\nFailures: {report.get('failures', 0)} questions\nWrote: " + ", ".join(report["files"].values())
    return "\n\n".join(p for p in [*parts, tail] if p)
