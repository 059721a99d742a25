"""The tally of a bulk import (:mod:`rag.importer`) and its summary: what was added, skipped and why nothing came of
the rest, grouped by reason."""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

_NUMBER = re.compile(r"(?<![A-Za-z0-9-])\d+(?![A-Za-z0-9])")  # counts, not names like UTF-8 or GB18030
EXAMPLES = 3  # sources named per failure reason


def reason_of(message: str, source: str) -> str:
    """A failure message without its source and with numbers masked, so the same reason groups together.

    >>> reason_of("a.txt#12: no article found (7 characters of text are too little).", "a.txt#12")
    'no article found (N characters of text are too little).'
    >>> reason_of("b.txt: cannot decode (tried UTF-8, GB18030)", "b.txt")
    'cannot decode (tried UTF-8, GB18030)'
    """
    if message.startswith(f"{source}: "):
        message = message[len(source) + 2:]
    return _NUMBER.sub("N", message)


@dataclass
class Tally:
    """Counts kept while an import runs (mutable; :meth:`summary` renders it)."""

    units: int = 0  # files, members or lines handed to the parser
    articles_added: int = 0
    chunks_added: int = 0
    already_indexed: int = 0  # articles the index held when the import started
    duplicates: int = 0  # articles met earlier in this import
    blank_lines: int = 0
    chars_total: int = 0
    chars_kept: int = 0
    versions: int = 0  # index versions saved
    failed: Counter[str] = field(default_factory=Counter)  # reason -> inputs
    examples: dict[str, list[str]] = field(default_factory=dict)  # reason -> first few sources
    seconds: float = 0.0
    interrupted: bool = False

    def fail(self, source: str, message: str) -> None:
        reason = reason_of(message, source)
        self.failed[reason] += 1
        seen = self.examples.setdefault(reason, [])
        if len(seen) < EXAMPLES:
            seen.append(source)

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def rates(self) -> str:
        """``articles/s, chunks/s`` so far."""
        t = max(self.seconds, 1e-9)
        return f"{self.articles_added / t:.1f} articles/s, {self.chunks_added / t:.1f} chunks/s"

    def summary(self) -> list[str]:
        """The lines printed at the end of an import."""
        lines = [f"added {self.articles_added} articles ({self.chunks_added} chunks) in {self.seconds:.0f} s "
                 f"({self.rates()}); {self.versions} index versions saved",
                 f"skipped {self.already_indexed} already indexed, {self.duplicates} duplicates within the input"
                 + (f", {self.blank_lines} blank lines" if self.blank_lines else ""),
                 f"read {self.units} inputs; kept {self.chars_kept} of {self.chars_total} characters in articles, "
                 f"dropped {self.chars_total - self.chars_kept} (timestamps, web furniture, lines in no article)",
                 f"failed {self.failures} inputs" + (":" if self.failures else "")]
        for reason, n in self.failed.most_common():
            lines.append(f"  {n} × {reason} (e.g. {', '.join(self.examples[reason])})")
        return lines


def print_import(tally: Tally, index_line: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """The summary on ``out`` (failures on ``err``) and the exit status: 0 done, 1 nothing could be read, 130
    interrupted (with how to resume)."""
    out, err = out or sys.stdout, err or sys.stderr
    lines = tally.summary()
    failed_at = len(lines) - len(tally.failed) - 1
    for line in lines[:failed_at]:
        print(line, file=out)
    for line in lines[failed_at:]:
        print(line, file=err if tally.failures else out)
    print(index_line, file=out)
    if tally.interrupted:
        print("interrupted: every saved batch is in the index; run the same command again to resume (articles "
              "already indexed are skipped by content)", file=err)
        return 130
    if tally.articles_added + tally.already_indexed + tally.duplicates == 0:
        print("error: nothing could be read from the input" + (" (reasons above)" if tally.failures else ""),
              file=err)
        return 1
    return 0
