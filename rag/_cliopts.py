"""Command-line pieces of ingest and retrieval: filter options, the per-file ingest report (a client of the
library, like :mod:`rag.__main__`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from .errors import InputError
from .ingest.exports import normalise_date
from .types import Filters

if TYPE_CHECKING:
    from .ingest.batch import PageResult


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    """``--place``, ``--district``, ``--source``, ``--since``, ``--until`` (repeat a name option for several)."""
    parser.add_argument("--place", action="append", default=[],
                        help="only articles about this place, any level (浙江省, 杭州市, 西湖区, 转塘街道)")
    parser.add_argument("--district", action="append", default=[], help="only articles naming this district")
    parser.add_argument("--source", action="append", default=[],
                        help="only articles from this file (news.jsonl, news.jsonl#3) or publisher (人民网)")
    parser.add_argument("--since", default="", help="published on or after this date (2023-07-01)")
    parser.add_argument("--until", default="", help="published on or before this date (2023-08-31)")


def _date(value: str, option: str) -> str:
    if not value:
        return ""
    iso = normalise_date(value)
    if not iso:
        raise InputError(f"{option} {value!r} is not a date; write it as YYYY-MM-DD (or YYYY-MM).")
    return iso


def filters_from(args: argparse.Namespace) -> Filters:
    return Filters(tuple(getattr(args, "district", ())), tuple(args.source), tuple(args.place),
                   _date(args.since, "--since"), _date(args.until, "--until"))


def print_report(results: Sequence[PageResult], verbose: bool = False, out: TextIO | None = None,
                 err: TextIO | None = None) -> int:
    """One line per file (articles, kept/dropped characters), warnings and errors on ``err``; with ``verbose``
    the dropped lines too. Returns the number of files that failed."""
    out, err = out or sys.stdout, err or sys.stderr
    failed = 0
    for r in results:
        if r.error:
            failed += 1
            print(f"ERROR {r.source}: {r.error}", file=err)
            continue
        how = r.encoding if r.kind == "page" else f"{r.kind}, {r.encoding}"
        print(f"{r.source}: {len(r.added)} added, {len(r.duplicates)} already indexed ({how}); "
              f"kept {r.chars_kept} of {r.chars_total} characters, dropped {r.dropped_chars}", file=out)
        if r.warning:
            print(f"WARNING {r.source}: {r.warning}", file=err)
        if verbose:
            for no, text in r.dropped:
                print(f"  dropped {no}: {text}", file=out)
    return failed
