"""Feedback on answers, kept as JSON lines (I/O edge): one record a line, appended under a lock and fsynced.

Bounded on disk: a record is at most :data:`MAX_RECORD_BYTES`, and the file rotates when the next record would take
it past ``RAG_FEEDBACK_MAX_BYTES`` (``feedback.jsonl`` -> ``.1`` -> ``.2`` ..., keeping ``RAG_FEEDBACK_BACKUPS``
older files), so the feedback never holds more than ``(backups + 1) * max_bytes``. Reading is paged, newest first,
one file at a time, and only the page's records are decoded (all of them when filtering by rating).

A file lock serialises writers (and rotation) across worker processes; readers skip a line that does not parse (with
a warning) rather than losing the whole file to one bad line.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from rag.config import Settings
from rag.errors import TooLargeError

log = logging.getLogger(__name__)

MAX_RECORD_BYTES = 4096


def feedback_path(settings: Settings) -> Path:
    """``RAG_FEEDBACK_PATH``, else ``feedback.jsonl`` beside the index directory."""
    if settings.feedback_path is not None:
        return Path(settings.feedback_path)
    return Path(settings.index_dir).parent / "feedback.jsonl"


class FeedbackStore:
    def __init__(self, path: Path, max_bytes: int = 5 * 1024 * 1024, backups: int = 3) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.backups = max(backups, 0)
        self._lock = threading.Lock()

    @classmethod
    def of(cls, settings: Settings) -> FeedbackStore:
        return cls(feedback_path(settings), settings.feedback_max_bytes, settings.feedback_backups)

    def files(self) -> list[Path]:
        """The current file and its backups, newest first."""
        return [self.path] + [self.path.with_name(f"{self.path.name}.{n}") for n in range(1, self.backups + 1)]

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        """Store ``record`` with a fresh ``id`` and ``created`` time; return what was stored.

        Raises :class:`TooLargeError` if the stored line would be over :data:`MAX_RECORD_BYTES`.
        """
        stored = {"id": uuid.uuid4().hex, "created": datetime.now(UTC).isoformat(timespec="seconds"), **record}
        line = (json.dumps(stored, ensure_ascii=False) + "\n").encode("utf-8")
        if len(line) > MAX_RECORD_BYTES:
            raise TooLargeError(f"this feedback would be stored as {len(line)} bytes; the limit is "
                                f"{MAX_RECORD_BYTES}: send a shorter answer, comment or fewer citations.")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, FileLock(str(self.path) + ".lock"):
            size = self.path.stat().st_size if self.path.exists() else 0
            if size and size + len(line) > self.max_bytes:
                self._rotate()
            with open(self.path, "ab") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        return stored

    def _rotate(self) -> None:
        """feedback.jsonl -> .1 -> .2 ...; the oldest backup is dropped (with no backups, the file starts over)."""
        files = self.files()
        if self.backups == 0:
            self.path.unlink()
            return
        for older, newer in zip(reversed(files[1:]), reversed(files[:-1]), strict=True):
            if newer.exists():
                os.replace(newer, older)
        log.info("feedback file reached %d bytes; rotated (%d older file(s) kept)", self.max_bytes, self.backups)

    def _lines_newest_first(self) -> Iterator[bytes]:
        for path in self.files():
            try:
                data = path.read_bytes()  # one file at a time, each at most max_bytes
            except FileNotFoundError:
                continue
            for line in reversed(data.splitlines()):
                if line.strip():
                    yield line

    def _decode(self, line: bytes) -> dict[str, Any] | None:
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            log.warning("%s: skipping a line that is not JSON", self.path)
            return None
        return record if isinstance(record, dict) else None

    def page(self, offset: int = 0, limit: int = 100, rating: str | None = None) -> tuple[int, list[dict[str, Any]]]:
        """(records stored (with ``rating`` if given), the ``limit`` records after ``offset``, newest first)."""
        total = 0
        items: list[dict[str, Any]] = []
        with self._lock, FileLock(str(self.path) + ".lock"):
            for line in self._lines_newest_first():
                in_page = offset <= total < offset + limit
                if rating is None and not in_page:
                    total += 1
                    continue
                record = self._decode(line)
                if record is None or (rating is not None and record.get("rating") != rating):
                    continue
                if in_page:
                    items.append(record)
                total += 1
        return total, items
