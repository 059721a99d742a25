"""Build (or reuse) the evaluation sets under ``.cache/eval/<name>/``: ``cmrc``, ``drcd``, ``crud`` from public
data, ``seeds`` from the committed seed question set, or any SQuAD file by path."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ..build_data import BEIR_DIR
from ..dataset import DatasetError, load_beir
from .common import DEFAULT_DATA, EVAL_CACHE, cached, save, stamp
from .crud import crud_dataset
from .squad import squad_dataset

log = logging.getLogger(__name__)

PUBLIC = ("cmrc", "drcd", "crud")
ALL = ("seeds", *PUBLIC)
# where each public set's files live below the data directory (its README describes them)
FILES = {"cmrc": ("cmrc2018/cmrc2018_trial.json",), "drcd": ("drcd/DRCD_dev.json",),
         "crud": ("crud/docs.tar.xz", "crud/questions_2docs.json")}


def name_for(path: Path) -> str:
    """A set name for a SQuAD file: its lower-case stem in ``[a-z0-9_-]``.

    >>> name_for(Path("x/DRCD_dev.json"))
    'drcd_dev'
    """
    return re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-") or "squad"


def _need(paths: list[Path]) -> None:
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise DatasetError(f"missing input file(s): {', '.join(missing)} (pass --data DIR with the public data)")


def build_squad(path: Path, name: str | None = None, out_root: Path = EVAL_CACHE, seed: int = 0,
                force: bool = False) -> Path:
    """The SQuAD file ``path`` as set ``name`` (default: from the file name); returns its directory."""
    _need([path])
    name = name or name_for(path)
    out = out_root / name
    wanted = stamp({"squad": path}, {"adapter": "squad", "seed": seed})
    if force or not cached(out, wanted):
        dataset = squad_dataset(path, name, seed)
        save(dataset, out, wanted, {"documents": len(dataset.corpus), "questions": len(dataset.queries)})
        log.info("built %s: %d documents, %d questions", out, len(dataset.corpus), len(dataset.queries))
    return out


def build_crud(docs: Path, questions: Path, name: str = "crud", out_root: Path = EVAL_CACHE, distractors: int = 2000,
               seed: int = 0, force: bool = False, progress: bool = True) -> Path:
    """The CRUD news set (see :mod:`eval.datasets.crud`); returns its directory."""
    _need([docs, questions])
    out = out_root / name
    wanted = stamp({"docs": docs, "questions": questions},
                   {"adapter": "crud", "seed": seed, "distractors": distractors})
    if force or not cached(out, wanted):
        dataset, counts = crud_dataset(docs, questions, name, distractors, seed, progress)
        save(dataset, out, wanted, {"documents": len(dataset.corpus), **counts})
        log.info("built %s: %s", out, counts)
    return out


def build_seeds(out_root: Path = EVAL_CACHE, source: Path = BEIR_DIR, force: bool = False) -> Path:
    """The committed seed question set (``eval/data/beir``), copied as set ``seeds``."""
    out = out_root / "seeds"
    inputs = {p.name: p for p in [source / "corpus.jsonl", source / "queries.jsonl", *sorted(source.glob("qrels/*"))]}
    wanted = stamp(inputs, {"adapter": "seeds"})
    if force or not cached(out, wanted):
        dataset = load_beir(source)
        save(dataset, out, wanted, {"documents": len(dataset.corpus), "questions": len(dataset.queries)})
    return out


def build_set(name: str, data: Path = DEFAULT_DATA, out_root: Path = EVAL_CACHE, seed: int = 0,
              distractors: int = 2000, force: bool = False, progress: bool = True) -> Path:
    """Build the named set (one of :data:`ALL`) from ``data``; returns its directory."""
    if name == "seeds":
        return build_seeds(out_root, force=force)
    if name not in FILES:
        raise DatasetError(f"unknown set {name!r}; known: {', '.join(ALL)} (or pass a SQuAD file)")
    paths = [data / f for f in FILES[name]]
    if name == "crud":
        return build_crud(*paths, out_root=out_root, distractors=distractors, seed=seed, force=force,
                          progress=progress)
    return build_squad(paths[0], name, out_root, seed, force)
