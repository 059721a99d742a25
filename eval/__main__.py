"""``python -m eval``: offline retrieval and answer evaluation; prints tables, writes report.json, failures.jsonl and
plots to ``--out`` (default ``eval/out/``).

Exit codes: 0 ok, 1 the dataset or the index failed validation (message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from rag.errors import RagError

from .dataset import DatasetError
from .runs import RETRIEVERS


def _retrievers(value: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in RETRIEVERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown retriever(s) {', '.join(unknown)}; choose from {', '.join(RETRIEVERS)}")
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    p.add_argument("--retrievers", type=_retrievers, default=RETRIEVERS,
                   help=f"comma-separated, from {','.join(RETRIEVERS)} (default: all)")
    p.add_argument("--split", choices=["test", "dev", "all"], default="test", help="queries to evaluate (default: test)")
    p.add_argument("--out", type=Path, default=Path("eval/out"), help="output directory (default: eval/out)")
    p.add_argument("--dataset", type=Path, default=None,
                   help="a BEIR dataset directory (corpus.jsonl, queries.jsonl, qrels/<split>.tsv); its corpus is "
                        "indexed instead of the seeds (default: the seeds' question set)")
    p.add_argument("--index-dir", type=Path, default=None,
                   help="build the index here, or reuse the one already there (default: a temporary index)")
    p.add_argument("--model", default=None, help="embedding model (default: RAG_MODEL or multilingual-e5-small)")
    p.add_argument("--no-answers", action="store_true", help="retrieval metrics only")
    suite = p.add_argument_group("suite", "every set over its own cached index, fusion chosen per set on dev")
    suite.add_argument("--suite", choices=["seeds", "public", "all", "cmrc", "drcd", "crud"], default=None,
                       help="seeds, the public sets (cmrc, drcd, crud), all of them, or one set by name; writes to "
                            "--out/suite")
    suite.add_argument("--squad", type=Path, action="append", default=[], metavar="FILE",
                       help="a SQuAD-format file to evaluate as a set of its own (repeatable; with or without --suite)")
    suite.add_argument("--limit", type=int, default=None, help="at most N dev and N test questions per set")
    suite.add_argument("--docs", type=int, default=None,
                       help="at most N documents per set: those the questions need, then a seeded draw of the rest")
    suite.add_argument("--seed", type=int, default=0, help="seed of the --limit sample and the splits (default: 0)")
    suite.add_argument("--data", type=Path, default=None, help="public data directory (default: ../shared/data)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from .run import EvalConfig, evaluate
    from .table import render

    if args.suite or args.squad:
        return _suite(args)

    config = EvalConfig(retrievers=args.retrievers, split=args.split, out=args.out, dataset=args.dataset,
                        index_dir=args.index_dir, model=args.model, answers=not args.no_answers,
                        progress=not args.quiet)
    try:
        report = evaluate(config)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except RagError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(render(report))
    return 0


def _suite(args: argparse.Namespace) -> int:
    from .datasets.build import ALL
    from .datasets.common import DEFAULT_DATA
    from .suite import SUITES, SuiteConfig, run_suite
    from .suite_report import render_suite
    from .table import render

    if args.limit is not None and args.limit < 1:
        print("error: --limit must be at least 1", file=sys.stderr)
        return 2
    config = SuiteConfig(sets=SUITES[args.suite] if args.suite else (), squad=tuple(args.squad),
                         data=args.data or DEFAULT_DATA, out=args.out / "suite", limit=args.limit, docs=args.docs,
                         seed=args.seed,
                         model=args.model, answers=not args.no_answers, progress=not args.quiet)
    assert set(config.sets) <= set(ALL)
    try:
        result = run_suite(config)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except RagError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    for name, report in result["reports"].items():
        fusion = result["sets"][name]["fusion"]
        print(f"== {name} ==  (hybrid fusion chosen on dev: {fusion})\n{render(report)}\n")
    print(render_suite(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
