"""PNG plots of a report (matplotlib, Agg backend, ASCII labels so no CJK font is needed)."""

from __future__ import annotations

from pathlib import Path

BAR_METRICS = ("recall@5", "hit_rate@1", "hit_rate@5", "mrr@10", "ndcg@10", "map", "evidence_hit@1", "evidence_hit@5",
               "list_evidence_recall@10")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def metrics_by_retriever(report: dict, path: Path) -> Path:
    plt = _pyplot()
    names = report["retrievers"]
    metrics = [m for m in BAR_METRICS if any(report["retrieval"][n]["overall"].get(m) is not None for n in names)]
    fig, ax = plt.subplots(figsize=(12, 5.5), dpi=110)
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        values = [report["retrieval"][name]["overall"].get(m) or 0.0 for m in metrics]
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(metrics))]
        bars = ax.bar(xs, values, width, label=name)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=7, rotation=90, padding=2)
    ax.set_xticks(range(len(metrics)), metrics, rotation=20, ha="right")
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("mean over judged queries")
    ds = report["dataset"]
    ax.set_title(f"Retrieval by retriever - {ds['name']}, split {ds['split']} ({ds['judged']} judged queries)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=len(names), fontsize=9, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def recall_curves(report: dict, path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5), dpi=110)
    lowest = 1.0
    for name in report["retrievers"]:
        curve = {int(k): v or 0.0 for k, v in report["recall_curve"][name].items()}
        ks = sorted(curve)
        ax.plot(ks, [curve[k] for k in ks], marker="o", markersize=3, label=name)
        lowest = min([lowest, *curve.values()])
    ax.set_xlabel("k (articles)")
    ax.set_ylabel("recall@k")
    ax.set_xticks(range(1, 21))
    ax.set_ylim(max(0.0, int((lowest - 0.05) * 10) / 10), 1.01)  # zoomed: curves near 1 would look flat
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(f"Article recall@k, split {report['dataset']['split']}")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def refusal_tradeoff(report: dict, path: Path) -> Path:
    plt = _pyplot()
    sweep = report["answers"]["sweep"]
    current = report["answers"]["threshold"]
    ts = [row["threshold"] for row in sweep]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), dpi=110)
    frr = [row["false_refusal_rate"] or 0.0 for row in sweep]
    rec = [row["refusal_recall"] or 0.0 for row in sweep]
    left.plot(frr, rec, marker="o", markersize=4, color="tab:blue")
    labelled: list[tuple[float, float]] = []
    for t, x, y in zip(ts, frr, rec, strict=True):
        crowded = any(abs(x - a) < 0.04 and abs(y - b) < 0.04 for a, b in labelled)
        if (round(t * 20) % 4 == 0 or abs(t - current) < 1e-9) and not crowded:
            left.annotate(f"{t:.2f}", (x, y), textcoords="offset points", xytext=(5, -10), fontsize=8)
            labelled.append((x, y))
    cur = next((row for row in sweep if abs(row["threshold"] - current) < 1e-9), None)
    if cur:
        left.scatter([cur["false_refusal_rate"] or 0.0], [cur["refusal_recall"] or 0.0], s=120, facecolors="none",
                     edgecolors="red", linewidths=2, label=f"configured threshold {current:.2f}", zorder=3)
        left.legend(loc="lower right")
    left.set_xlabel("false-refusal rate (answerable questions refused)")
    left.set_ylabel("refusal recall (unanswerable questions refused)")
    left.set_xlim(-0.02, 1.02)
    left.set_ylim(-0.02, 1.05)
    left.grid(alpha=0.3)
    left.set_title("Refusal trade-off over refusal_threshold")
    right.plot(ts, rec, marker="o", markersize=3, label="refusal recall")
    right.plot(ts, frr, marker="o", markersize=3, label="false-refusal rate")
    right.plot(ts, [row["gold_fact_rate"] or 0.0 for row in sweep], marker="o", markersize=3, label="gold-fact rate")
    right.axvline(current, color="red", linestyle="--", linewidth=1, label=f"configured {current:.2f}")
    right.set_xlabel("refusal_threshold")
    right.set_ylim(-0.02, 1.05)
    right.grid(alpha=0.3)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=4, fontsize=8, frameon=False)
    right.set_title("Rates by threshold")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_all(report: dict, out: Path) -> dict[str, Path]:
    paths = {"metrics_plot": metrics_by_retriever(report, out / "metrics_by_retriever.png"),
             "recall_plot": recall_curves(report, out / "recall_at_k.png")}
    if report["answers"].get("sweep"):
        paths["refusal_plot"] = refusal_tradeoff(report, out / "refusal_tradeoff.png")
    return paths
