"""The index directory on disk (I/O edge): manifest, atomic save/load, one writer at a time.

Layout::

    index_dir/
      CURRENT            name of the live version (replaced atomically)
      .lock              writers hold it (filelock), so two processes never interleave
      v-<time>-<rand>/   manifest.json articles.jsonl chunks.jsonl vectors.npy tokens.npy token_offsets.npy
                         vocab.json sentences.jsonl sentence_vectors.npy bm25/ [ann.faiss]

Tokens are stored as vocabulary ids (format 3); format 2 kept them in ``chunks.jsonl`` and still loads.

A save writes a complete new version beside the old one, fsyncs it, then swaps ``CURRENT``. A crash at any point
leaves either the old or the new version live, never a torn one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import asdict
from pathlib import Path

import faiss
import numpy as np
from filelock import FileLock

from .ann import AnnParams, get_knob, set_knob
from .bm25 import load_bm25, save_bm25
from .errors import IndexMismatchError, IndexNotReadyError
from .index import FORMAT_VERSION, READABLE_VERSIONS, Index, IndexMeta
from .sentvec import SentenceTable
from .tokentable import TokenTable, Vocabulary
from .types import Article, Chunk

log = logging.getLogger(__name__)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def writer_lock(index_dir: Path, timeout: float = 600) -> FileLock:
    index_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(index_dir / ".lock"), timeout=timeout)


def current_version(index_dir: Path) -> str | None:
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if name and (index_dir / name / "manifest.json").exists() else None


def save(index: Index, index_dir: Path) -> str:
    """Write ``index`` as a new version and make it live. Call while holding :func:`writer_lock`."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"v-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir()
    articles = [asdict(a) for a in index.articles.values()]
    _write(tmp / "articles.jsonl", _jsonl(articles))
    _write(tmp / "chunks.jsonl", _jsonl([asdict(c) for c in index.chunks]))
    tokens = index.tokens
    for filename, array in (("vectors.npy", index.vectors), ("tokens.npy", tokens.ids),
                            ("token_offsets.npy", tokens.offsets)):
        with open(tmp / filename, "wb") as fh:
            np.save(fh, array)
    _write(tmp / "vocab.json", json.dumps(tokens.vocab.words, ensure_ascii=False).encode("utf-8"))
    with open(tmp / "sentence_vectors.npy", "wb") as fh:
        np.save(fh, index.sentences.vectors)
    _write(tmp / "sentences.jsonl", _jsonl([list(k) for k in index.sentences.keys]))
    save_bm25(index.bm25, tmp / "bm25")
    if isinstance(index.ann, faiss.Index) and not isinstance(index.ann, faiss.IndexFlat):
        faiss.write_index(index.ann, str(tmp / "ann.faiss"))
    manifest = {
        **asdict(index.meta),
        "format_version": FORMAT_VERSION,
        "counts": {"articles": len(index.articles), "chunks": len(index.chunks)},
        "ann": type(index.ann).__name__,
        "ann_knob": get_knob(index.ann) if isinstance(index.ann, faiss.Index) else 0,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    _write(tmp / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    for sub in tmp.rglob("*"):
        if sub.is_file():
            with open(sub, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(tmp)
    os.rename(tmp, index_dir / name)
    _fsync_dir(index_dir)
    pointer = index_dir / "CURRENT.tmp"
    _write(pointer, name.encode("utf-8"))
    os.replace(pointer, index_dir / "CURRENT")
    _fsync_dir(index_dir)
    _collect_garbage(index_dir, keep=name)
    log.info("index saved as %s (%d articles, %d chunks)", name, len(index.articles), len(index.chunks))
    return name


def _collect_garbage(index_dir: Path, keep: str) -> None:
    for child in index_dir.iterdir():
        if child.is_dir() and child.name != keep and (child.name.startswith("v-") or child.name.startswith(".tmp-")):
            shutil.rmtree(child, ignore_errors=True)


def read_manifest(index_dir: Path) -> dict:
    name = current_version(index_dir)
    if name is None:
        raise IndexNotReadyError(f"no index at {index_dir}; build one with `python -m rag ingest seeds/`.")
    return json.loads((index_dir / name / "manifest.json").read_text(encoding="utf-8"))


def check_compatible(manifest: dict, model: str, index_dir: Path) -> None:
    if manifest.get("format_version") not in READABLE_VERSIONS:
        raise IndexMismatchError(
            f"index at {index_dir} has format {manifest.get('format_version')}, this version reads {FORMAT_VERSION}; "
            "rebuild it (delete the directory and run `python -m rag ingest …`)."
        )
    if manifest.get("model") != model:
        raise IndexMismatchError(
            f"index at {index_dir} was built with model {manifest.get('model')!r} but {model!r} is configured; "
            "set RAG_MODEL to the index's model, or rebuild the index into another RAG_INDEX_DIR."
        )


def load(index_dir: Path, model: str, ann_threshold: int = 200_000,
         ann_params: AnnParams | None = None) -> tuple[Index, str]:
    """Load the live version; raise IndexNotReadyError if there is none, IndexMismatchError if built otherwise."""
    manifest = read_manifest(index_dir)
    check_compatible(manifest, model, index_dir)
    name = current_version(index_dir)
    assert name is not None
    version = index_dir / name
    fields = {f for f in IndexMeta.__dataclass_fields__}
    meta = IndexMeta(**{k: v for k, v in manifest.items() if k in fields and k != "format_version"})
    articles = {}
    for row in _read_jsonl(version / "articles.jsonl"):
        row["paragraphs"] = tuple(tuple(p) for p in row["paragraphs"])
        articles[row["id"]] = Article(**{k: tuple(v) if isinstance(v, list) else v for k, v in row.items()})
    chunks, tokens = [], []
    for row in _read_jsonl(version / "chunks.jsonl"):
        if "tokens" in row:  # format 2
            tokens.append(row.pop("tokens"))
        row["districts"] = tuple(row["districts"])
        chunks.append(Chunk(**row))
    if (version / "tokens.npy").exists():
        vocab = Vocabulary()
        vocab.words = json.loads((version / "vocab.json").read_text(encoding="utf-8"))
        vocab.ids = {w: i for i, w in enumerate(vocab.words)}
        tokens = TokenTable(vocab, np.load(version / "tokens.npy"), np.load(version / "token_offsets.npy"))
    vectors = np.load(version / "vectors.npy")
    ann = faiss.read_index(str(version / "ann.faiss")) if (version / "ann.faiss").exists() else None
    if ann is not None and manifest.get("ann_knob"):
        set_knob(ann, manifest["ann_knob"])
    sentences = SentenceTable(tuple(tuple(k) for k in _read_jsonl(version / "sentences.jsonl")),  # type: ignore[misc]
                              np.load(version / "sentence_vectors.npy"))
    index = Index(meta, articles, chunks, tokens, vectors, bm25=load_bm25(version / "bm25"), ann=ann,
                  ann_threshold=ann_threshold, sentences=sentences, ann_params=ann_params)
    return index, name
