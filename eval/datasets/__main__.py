"""``python -m eval.datasets build``: public data and the seed questions → BEIR sets in ``.cache/eval/<name>/``.

Without ``--squad``/``--crud`` every known set is built from ``--data`` (cmrc, drcd, crud) and the seeds; a set
whose inputs and options have not changed is reused. Exit codes: 0 ok, 1 an input is missing or malformed.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..dataset import DatasetError
from .build import ALL, build_crud, build_set, build_squad
from .common import DEFAULT_DATA, EVAL_CACHE


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.datasets", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build evaluation sets")
    b.add_argument("sets", nargs="*", metavar="NAME", help=f"from {', '.join(ALL)} (default: all)")
    b.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"public data directory (default: {DEFAULT_DATA})")
    b.add_argument("--out", type=Path, default=EVAL_CACHE, help=f"where sets go (default: {EVAL_CACHE})")
    b.add_argument("--squad", type=Path, action="append", default=[], metavar="PATH",
                   help="a SQuAD-format file (repeatable); named after the file unless --name")
    b.add_argument("--name", default=None, help="set name for a single --squad file or for --crud")
    b.add_argument("--crud", type=Path, nargs=2, metavar=("DOCS_ARCHIVE", "QUESTIONS"), default=None,
                   help="CRUD-RAG docs archive and questions_2docs.json")
    b.add_argument("--distractors", type=int, default=2000, help="CRUD distractor documents (default: 2000)")
    b.add_argument("--seed", type=int, default=0, help="seed of splits and samples (default: 0)")
    b.add_argument("--force", action="store_true", help="rebuild even when a cached build matches")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    unknown = [n for n in args.sets if n not in ALL]
    if unknown:
        p.error(f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(ALL)}")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    progress = not args.quiet
    try:
        built: list[Path] = []
        if args.name and len(args.squad) > 1:
            raise DatasetError("--name applies to one --squad file; pass files one at a time to name them")
        for path in args.squad:
            built.append(build_squad(path, args.name, args.out, args.seed, args.force))
        if args.crud:
            built.append(build_crud(*args.crud, name=args.name or "crud", out_root=args.out,
                                    distractors=args.distractors, seed=args.seed, force=args.force,
                                    progress=progress))
        if not args.squad and not args.crud:
            for name in args.sets or ALL:
                built.append(build_set(name, args.data, args.out, args.seed, args.distractors, args.force, progress))
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in built:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
