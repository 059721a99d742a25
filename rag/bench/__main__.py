"""``python -m rag.bench [--sizes 1k,10k,100k,1m] [--model hash-256] ...``: run the benchmark, print the table,
write bench/out/results.json and bench/out/latency.png. Each job runs in its own process (its own peak RSS)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from rag.config import DEFAULT_MODEL

from .report import plot, table


def parse_size(text: str) -> int:
    """``"10k" -> 10000``, ``"1m" -> 1000000``, ``"300" -> 300``."""
    text = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rag.bench", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1k,10k", help="corpus sizes in chunks, e.g. 1k,10k,100k,1m")
    p.add_argument("--milvus-sizes", default="10k", help="sizes also run on the Milvus backend ('' for none)")
    p.add_argument("--milvus-uri", default="", help="a Milvus URI (default: a Milvus Lite file per size)")
    p.add_argument("--milvus-queries", type=int, default=0,
                   help="questions per Milvus latency run (default: --queries; Lite takes seconds per question)")
    p.add_argument("--milvus-runs", type=int, default=0, help="repeated Milvus runs (default: --runs)")
    p.add_argument("--model", default=DEFAULT_MODEL, help="embedding model (hash-256 for a quick smoke run)")
    p.add_argument("--runs", type=int, default=3, help="repeated runs per figure")
    p.add_argument("--queries", type=int, default=40, help="evaluation questions per latency run")
    p.add_argument("--baseline-limit", type=float, default=60.0, help="skip the baseline above this many s/query")
    p.add_argument("--sentence-vectors-max", default="200k", help="build sentence vectors up to this size")
    p.add_argument("--no-quality", action="store_true", help="skip hit@5 on the evaluation questions")
    p.add_argument("--out", default="bench/out")
    p.add_argument("--seeds", default="seeds")
    p.add_argument("--questions", default="eval/data/questions.jsonl")
    p.add_argument("--job", help=argparse.SUPPRESS)
    p.add_argument("--job-out", help=argparse.SUPPRESS)
    return p


def _run(spec: dict, out: Path) -> dict:
    path = out / f"job-{spec['kind']}-{spec.get('size', 'q')}.json"
    began = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "rag.bench", "--job", json.dumps(spec), "--job-out", str(path)],
                          check=False)
    if proc.returncode != 0:
        return {"error": f"job {spec['kind']} {spec.get('size', '')} exited {proc.returncode}"}
    result = json.loads(path.read_text(encoding="utf-8"))
    result["job_seconds"] = round(time.perf_counter() - began, 1)
    print(f"  {spec['kind']:<8} {spec.get('size', ''):>8}: {result['job_seconds']} s", file=sys.stderr, flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["ingest"]:  # python -m rag.bench ingest --docs N: ingest speed on real news (rag/bench/ingest.py)
        from .ingest import main as ingest_main

        return ingest_main(argv[1:])
    args = parser().parse_args(argv)
    if args.job:
        from .jobs import main_job

        return main_job(args.job, args.job_out)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    milvus_sizes = {parse_size(s) for s in args.milvus_sizes.split(",") if s.strip()}
    common = {"model": args.model, "out": str(out), "seeds": args.seeds, "questions": args.questions,
              "runs": args.runs, "queries": args.queries, "limit_s": args.baseline_limit}
    results: dict = {"command": " ".join(["python -m rag.bench", *(argv if argv is not None else sys.argv[1:])]),
                     "model": args.model, "sizes": sizes, "by_size": {},
                     "machine": {"cpus": __import__("os").cpu_count()}}
    baseline_ms, baseline_size = None, None
    for size in sizes:
        entry: dict = {}
        results["by_size"][str(size)] = entry
        spec = {**common, "size": size, "sentence_vectors": size <= parse_size(args.sentence_vectors_max)}
        entry["build"] = _run({**spec, "kind": "build"}, out)
        if "error" in entry["build"]:
            continue
        entry["serve"] = _run({**spec, "kind": "serve"}, out)
        predicted = baseline_ms * size / baseline_size if baseline_ms else 0.0
        if predicted > args.baseline_limit * 1000:
            entry["baseline_skipped"] = f"predicted {predicted / 1000:.0f} s per query > {args.baseline_limit:.0f} s"
        else:
            entry["baseline"] = _run({**spec, "kind": "baseline"}, out)
            if "latency_ms" in entry["baseline"]:
                baseline_ms, baseline_size = entry["baseline"]["latency_ms"]["hybrid"]["median"], size
        if size in milvus_sizes:
            entry["milvus"] = _run({**spec, "kind": "milvus", "milvus_uri": args.milvus_uri,
                                    "queries": args.milvus_queries or args.queries,
                                    "runs": args.milvus_runs or args.runs}, out)
        (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.no_quality:
        results["quality"] = _run({**common, "kind": "quality", "milvus": bool(milvus_sizes)}, out)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    try:
        results["plot"] = str(plot(results, out / "latency.png"))
    except Exception as exc:  # a failed size leaves nothing to plot
        print(f"no plot: {exc}", file=sys.stderr)
    text = table(results)
    (out / "results.txt").write_text(text + "\n", encoding="utf-8")
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
