"""``python -m eval.gate``: the quality gate. A seeded sample of each public set (:data:`LIMIT` dev and test
questions, :data:`DOCS` documents) runs through the suite with the real model, and every gated metric is
compared with ``eval/baseline.json``: the gate fails when one drops more than its tolerance below the baseline.

The baseline moves only in a commit that says why: ``python -m eval.gate --write-baseline`` rewrites it from a
fresh run. Exit codes: 0 pass, 1 a metric dropped (or the data is missing), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .datasets.build import PUBLIC
from .datasets.common import DEFAULT_DATA

BASELINE = Path(__file__).parent / "baseline.json"
LIMIT, DOCS, SEED = 15, 40, 0
# metric -> tolerance (absolute drop allowed). Retrieval is deterministic on a fixed sample, so the tolerance only
# absorbs float noise and one question changing its mind (1/15 ≈ 0.067); answers move more as they are improved.
TOLERANCE = {"hybrid.hit@1": 0.07, "hybrid.mrr@10": 0.05, "hybrid.ndcg@10": 0.05, "bm25.hit@1": 0.07,
             "dense.hit@1": 0.07, "answers.gold": 0.1, "answers.unanswerable_refused": 0.2}
LOWER_IS_BETTER = {"answers.false_refusals": 0.15}


def gated(summary: dict) -> dict[str, float | None]:
    """The gated numbers of one set's suite summary, by dotted name."""
    out: dict[str, float | None] = {}
    for key in (*TOLERANCE, *LOWER_IS_BETTER):
        head, metric = key.split(".")
        part = summary["answers"] if head == "answers" else summary["retrievers"][head]
        value = part.get(metric) if isinstance(part, dict) else None
        out[key] = None if value is None else round(float(value), 4)
    return out


def compare(current: dict[str, dict], baseline: dict[str, dict]) -> list[str]:
    """Every drop beyond tolerance, as a readable line (empty: the gate passes).

    >>> compare({"crud": {"hybrid.hit@1": 0.80}}, {"crud": {"hybrid.hit@1": 0.90}})
    ['crud hybrid.hit@1: 0.800 < baseline 0.900 - 0.07']
    >>> compare({"crud": {"answers.false_refusals": 0.1}}, {"crud": {"answers.false_refusals": 0.1}})
    []
    """
    problems = []
    for name, base in baseline.items():
        now = current.get(name)
        if now is None:
            problems.append(f"{name}: not evaluated (the baseline has it)")
            continue
        for key, b in base.items():
            v = now.get(key)
            if b is None or v is None:
                continue
            if key in LOWER_IS_BETTER and v > b + LOWER_IS_BETTER[key]:
                problems.append(f"{name} {key}: {v:.3f} > baseline {b:.3f} + {LOWER_IS_BETTER[key]}")
            elif key in TOLERANCE and v < b - TOLERANCE[key]:
                problems.append(f"{name} {key}: {v:.3f} < baseline {b:.3f} - {TOLERANCE[key]}")
    return problems


def run_gate(data: Path = DEFAULT_DATA, out: Path | None = None, progress: bool = False,
             model: str | None = None) -> dict:
    """The suite on the gate's sample of every public set: ``{"sets": {name: gated numbers}, "seconds", ...}``."""
    from .suite import SuiteConfig, run_suite

    result = run_suite(SuiteConfig(sets=PUBLIC, data=data, out=out, limit=LIMIT, docs=DOCS, seed=SEED,
                                   progress=progress, model=model))
    return {"sets": {name: gated(s) for name, s in result["sets"].items()}, "seconds": result["seconds"],
            "fusion": {name: s["fusion"] for name, s in result["sets"].items()}}


def read_baseline(path: Path = BASELINE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write_baseline(run: dict, path: Path = BASELINE) -> None:
    doc = {"about": "python -m eval.gate compares with these; regenerate with python -m eval.gate --write-baseline "
                    "and say why in the commit",
           "sample": {"sets": list(PUBLIC), "limit": LIMIT, "docs": DOCS, "seed": SEED},
           "tolerance": TOLERANCE, "tolerance_lower_is_better": LOWER_IS_BETTER,
           "sets": run["sets"], "fusion": run["fusion"], "seconds": run["seconds"]}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.gate", description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"public data (default: {DEFAULT_DATA})")
    p.add_argument("--baseline", type=Path, default=BASELINE, help=f"baseline file (default: {BASELINE})")
    p.add_argument("--write-baseline", action="store_true", help="run, then write the baseline from this run")
    p.add_argument("--out", type=Path, default=None, help="also write the suite's outputs here")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.data.is_dir():
        print(f"error: no public data at {args.data} (pass --data DIR)", file=sys.stderr)
        return 1
    run = run_gate(args.data, args.out)
    print(json.dumps(run, ensure_ascii=False, indent=1))
    if args.write_baseline:
        write_baseline(run, args.baseline)
        print(f"wrote {args.baseline}")
        return 0
    problems = compare(run["sets"], read_baseline(args.baseline)["sets"])
    for line in problems:
        print(f"DROP {line}", file=sys.stderr)
    print("gate: " + ("FAILED" if problems else "passed") + f" in {run['seconds']:.0f}s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
