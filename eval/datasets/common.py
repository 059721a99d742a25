"""What every adapter shares: where sets live, a stable dev/test split, a coarse answer type and the build cache.

A set is a BEIR directory (see :mod:`eval.dataset`) under ``.cache/eval/<name>/``. Its ``build.json`` records
what it was built from (input sizes and modification times, adapter version and options); a build whose stamp
matches is reused as it is.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from ..dataset import Dataset, write_beir

EVAL_CACHE = Path(".cache") / "eval"
DEFAULT_DATA = Path("../shared/data")
DEV_SHARE = 0.3  # share of groups (paragraph titles, news events) whose questions form the dev split
VERSION = 1  # bump when an adapter's output changes, so cached builds are rebuilt

_DATE = re.compile(r"\d+\s*年|\d+\s*月\s*\d*\s*日?|[一二三四五六七八九十〇零]+年|世纪|年代|朝|代$")
_NUMBER = re.compile(r"\d|^[约近逾超]?[一二三四五六七八九十百千万亿两]{1,8}(?![一二三四五六七八九十百千万亿两])")


def split_of(group: str, seed: int = 0, dev_share: float = DEV_SHARE) -> str:
    """``"dev"`` or ``"test"`` for every question of ``group``, stable across runs and machines.

    Whole groups go to one split, so fusion tuned on dev never sees a test question's document.

    >>> split_of("梵文") in ("dev", "test")
    True
    """
    digest = hashlib.sha1(f"{seed}:{group}".encode()).digest()
    return "dev" if int.from_bytes(digest[:4], "big") / 2**32 < dev_share else "test"


def answer_type(answer: str) -> str:
    """A coarse type from the gold answer's shape: ``date``, ``number``, ``span``; ``unanswerable`` for "".

    >>> [answer_type(a) for a in ("1998年", "3000多家", "上海市", "")]
    ['date', 'number', 'span', 'unanswerable']
    """
    if not answer:
        return "unanswerable"
    if _DATE.search(answer):
        return "date"
    if _NUMBER.search(answer):
        return "number"
    return "span"


def stamp(inputs: Mapping[str, Path], options: Mapping[str, object]) -> dict:
    """What a build depends on: each input's size and mtime, the options and the adapter version."""
    files = {k: {"path": str(p), "size": p.stat().st_size, "mtime": int(p.stat().st_mtime)} for k, p in inputs.items()}
    return {"version": VERSION, "inputs": files, "options": dict(options)}


def cached(out: Path, wanted: dict) -> bool:
    """The set in ``out`` was built from exactly ``wanted`` (see :func:`stamp`) and is complete."""
    path = out / "build.json"
    if not path.exists() or not (out / "corpus.jsonl").exists():
        return False
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("stamp") == wanted
    except json.JSONDecodeError:
        return False


def save(dataset: Dataset, out: Path, wanted: dict, summary: Mapping[str, object]) -> None:
    """Write ``dataset`` to ``out`` (replacing an older build; a cached index below it survives) and its stamp."""
    for name in ("corpus.jsonl", "queries.jsonl", "build.json"):
        (out / name).unlink(missing_ok=True)
    if (out / "qrels").is_dir():
        shutil.rmtree(out / "qrels")
    write_beir(dataset, out)
    info = {"stamp": wanted, **summary}
    (out / "build.json").write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
