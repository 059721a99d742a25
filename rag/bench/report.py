"""The benchmark's table (text) and plot (PNG, latency against corpus size, log x)."""

from __future__ import annotations

from pathlib import Path


def _p(fig: dict | None, key: str = "p95") -> str:
    if not fig:
        return "-"
    value = fig.get(key, {}).get("median") if isinstance(fig.get(key), dict) else fig.get("median")
    return "-" if value is None else f"{value:.1f}"


def table(results: dict) -> str:
    lines = ["size    | retriever | ours p50 ms | ours p95 ms | p99 ms | baseline ms | ours/base | milvus p95 ms",
             "--------|-----------|-------------|-------------|--------|-------------|-----------|--------------"]
    for size in results["sizes"]:
        s = results["by_size"][str(size)]
        lat = s.get("serve", {}).get("latency_ms", {})
        base = s.get("baseline", {}).get("latency_ms", {})
        mil = s.get("milvus", {}).get("latency_ms", {})
        for name in ("bm25", "dense", "hybrid", "answer"):
            ours = lat.get(name)
            b = base.get(name, {}).get("median") if base else None
            ratio = f"{ours['p50']['median'] / b:.4f}" if ours and b else "-"
            btxt = f"{b:.1f}" if b else ("skipped" if s.get("baseline_skipped") else "-")
            lines.append(f"{s.get('build', {}).get('corpus', {}).get('chunks', size):>7} | {name:<9} | "
                         f"{_p(ours, 'p50'):>11} | {_p(ours, 'p95'):>11} | {_p(ours, 'p99'):>6} | {btxt:>11} | "
                         f"{ratio:>9} | {_p(mil.get(name), 'p95') if mil else '-':>12}")
    lines.append("")
    lines.append("size    | build s | index chunks/s | disk MB | load s | RSS build MB | RSS serve MB | ANN | recall@10 "
                 "| add page s | df s (Counter s)")
    for size in results["sizes"]:
        s = results["by_size"][str(size)]
        b, v = s.get("build", {}), s.get("serve", {})
        ib = b.get("index_build", {})
        tuning = ib.get("ann_tuning") or {}
        recall = v.get("ann_recall_at_10_real_queries", "exact")
        add = v.get("add_page", {})
        lines.append(f"{b.get('corpus', {}).get('chunks', size):>7} | {ib.get('seconds', '-'):>7} | "
                     f"{ib.get('chunks_per_s', '-'):>14} | {b.get('disk_mb', '-'):>7} | {v.get('load_seconds', '-'):>6} | "
                     f"{b.get('peak_rss_build_mb', '-'):>12} | {v.get('peak_rss_serve_mb', '-'):>12} | "
                     f"{ib.get('ann', '-')}{'/' + str(tuning.get('knob')) if tuning else ''} | {recall} | "
                     f"{add.get('snapshot_seconds', '-')}+{add.get('save_seconds', '-')} | "
                     f"{v.get('df_seconds', '-')} ({v.get('df_counter_seconds', '-')})")
    lines.append("")
    lines.append("size    | RSS after load MB | peak MB: load | queries | add page | whole serve job "
                 "| after queries: anon / file MB")
    for size in results["sizes"]:
        s = results["by_size"][str(size)]
        v = s.get("serve", {})
        split = v.get("rss_after_queries_mb") or {}
        lines.append(f"{s.get('build', {}).get('corpus', {}).get('chunks', size):>7} | "
                     f"{v.get('rss_after_load_mb', '-'):>17} | {v.get('peak_rss_load_mb', '-'):>13} | "
                     f"{v.get('peak_rss_queries_mb', '-'):>7} | {v.get('add_page', {}).get('peak_rss_mb', '-'):>8} | "
                     f"{v.get('peak_rss_serve_mb', '-'):>15} | "
                     f"{split.get('anon', '-')} / {split.get('file', '-')}")
    q = results.get("quality")
    if q:
        lines.append("")
        lines.append("hit@5 (seeds, " + str(q.get("questions")) + " questions): " +
                     ", ".join(f"{k} {v}" for k, v in q.get("hit@5", {}).items()))
        if "int8_query_encoder" in q:
            lines.append(f"int8 query encoder: {q['int8_query_encoder']}")
        if "passage_precision" in q:
            lines.append(f"passage precision: {q['passage_precision']}")
    first = results["by_size"][str(results["sizes"][0])].get("build", {}).get("ingest_rates")
    if first:
        lines.append("")
        lines.append("ingest chunks/s (median, p95 over runs): " + ", ".join(
            f"{k} {v['median']} ({v['p95']})" for k, v in first.items() if isinstance(v, dict))
            + f"; passages embedded in {first.get('passage_precision', 'float32')}")
    return "\n".join(lines)


def plot(results: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    sizes = [s for s in results["sizes"] if results["by_size"][str(s)].get("serve")]
    xs = [results["by_size"][str(s)]["build"]["corpus"]["chunks"] for s in sizes]
    for name, style in (("bm25", "o-"), ("dense", "s-"), ("hybrid", "^-"), ("answer", "d-")):
        ys = [results["by_size"][str(s)]["serve"]["latency_ms"][name]["p95"]["median"] for s in sizes]
        ax.plot(xs, ys, style, label=f"ours {name} p95")
    bx = [(x, results["by_size"][str(s)]["baseline"]["latency_ms"]["hybrid"]["median"])
          for x, s in zip(xs, sizes, strict=True) if results["by_size"][str(s)].get("baseline")]
    if bx:
        ax.plot(*zip(*bx, strict=True), "x--", color="grey", label="baseline hybrid (rank_bm25 rebuilt + exact)")
    mx = [(x, results["by_size"][str(s)]["milvus"]["latency_ms"]["hybrid"]["p95"]["median"])
          for x, s in zip(xs, sizes, strict=True) if results["by_size"][str(s)].get("milvus")]
    if mx:
        ax.plot(*zip(*mx, strict=True), "v:", label="Milvus (Lite) hybrid p95")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("latency per query (ms)")
    ax.set_title("Query latency vs corpus size (2 cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
