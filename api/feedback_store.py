"""Feedback on answers, kept as JSON lines (I/O edge): one record a line, appended under a lock and fsynced.

A file lock serialises writers across worker processes; readers skip a line that does not parse (with a warning)
rather than losing the whole file to one bad line.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from rag.config import Settings

log = logging.getLogger(__name__)


def feedback_path(settings: Settings) -> Path:
    """``RAG_FEEDBACK_PATH``, else ``feedback.jsonl`` beside the index directory."""
    if settings.feedback_path is not None:
        return Path(settings.feedback_path)
    return Path(settings.index_dir).parent / "feedback.jsonl"


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        """Store ``record`` with a fresh ``id`` and ``created`` time; return what was stored."""
        stored = {"id": uuid.uuid4().hex, "created": datetime.now(UTC).isoformat(timespec="seconds"), **record}
        line = (json.dumps(stored, ensure_ascii=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, FileLock(str(self.path) + ".lock"), open(self.path, "ab") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        return stored

    def read(self) -> list[dict[str, Any]]:
        """All stored records, oldest first."""
        if not self.path.exists():
            return []
        out: list[dict[str, Any]] = []
        with open(self.path, encoding="utf-8") as fh:
            for no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    log.warning("%s:%d: skipping a line that is not JSON", self.path, no)
        return out
