"""The index directory on disk (I/O edge): manifest, atomic save/load, one writer at a time.

Layout::

    index_dir/
      CURRENT            name of the live version (replaced atomically)
      .lock              writers hold it (filelock), so two processes never interleave
      v-<time>-<rand>/   manifest.json vocab.json bm25/ [ann.faiss]
                         p-<rand>.{articles,chunks,sentences}.jsonl   one part: a run of rows of every table
                         p-<rand>.{vectors,tokens,token_offsets,sentence_vectors}.npy

The row tables (articles, chunks, tokens, vectors, sentences) are stored in parts. A save that only adds rows to
the live version hard-links its parts into the new version and writes one new part, so an upload costs its own
rows plus the whole-index files (vocabulary, BM25 matrix, approximate index), not a rewrite of every table.
Deleting, or reaching ``MAX_PARTS`` parts, writes the rows again as one part. Format 3 (one unprefixed file per
table, tokens as ids) and format 2 (tokens in ``chunks.jsonl``) still load.

A save writes a complete new version beside the old one, fsyncs it, then swaps ``CURRENT``. A crash at any point
leaves either the old or the new version live, never a torn one; parts are never modified once written.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from filelock import FileLock

from rag.errors import IndexMismatchError, IndexNotReadyError
from rag.types import Article, Chunk

from ._rowblocks import RowBlocks
from ._stored import StoredArray
from ._tokentable import TokenTable, Vocabulary
from .ann import AnnParams, get_knob, set_knob
from .bm25 import load_bm25, save_bm25
from .sentkeys import SentenceKeys
from .sentvec import STORED, SentenceTable
from .snapshot import FORMAT_VERSION, READABLE_VERSIONS, Index, IndexMeta

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


def _read_jsonl(path: Path) -> Iterator[Any]:
    """Rows one at a time: a row is garbage before the next is parsed, so loading leaves no holes in the heap."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def writer_lock(index_dir: Path, timeout: float = 600) -> FileLock:
    index_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(index_dir / ".lock"), timeout=timeout)


def current_version(index_dir: Path) -> str | None:
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if name and (index_dir / name / "manifest.json").exists() else None


PART_TABLES = ("articles.jsonl", "chunks.jsonl", "sentences.jsonl", "vectors.npy", "tokens.npy",
               "token_offsets.npy", "sentence_vectors.npy")
MAX_PARTS = 32


@dataclass(frozen=True)
class Part:
    """A run of rows: the next ``articles`` articles, ``chunks`` chunks and ``sentences`` sentence vectors."""

    name: str  # "" for a format-3 version's unprefixed files
    articles: int
    chunks: int
    sentences: int

    def path(self, version: Path, table: str) -> Path:
        return version / (f"{self.name}.{table}" if self.name else table)


def _rows(parts: list[Part]) -> tuple[int, int, int]:
    """Articles, chunks and sentences the parts hold together (the shape of :meth:`Index.counts`)."""
    return sum(p.articles for p in parts), sum(p.chunks for p in parts), sum(p.sentences for p in parts)


def _save_npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as fh:
        np.save(fh, array)


def _reusable_parts(index: Index, index_dir: Path) -> tuple[str, list[Part]]:
    """The live version's parts when ``index`` is exactly its rows plus more (else no parts)."""
    grown, live = index.grown_from, current_version(index_dir)
    if grown is None or live is None or grown[0] != live:
        return "", []
    manifest = json.loads((index_dir / live / "manifest.json").read_text(encoding="utf-8"))
    parts = [Part(**p) for p in manifest.get("parts", [])]
    if not parts or len(parts) >= MAX_PARTS or _rows(parts) != grown[1:]:
        return "", []
    return live, parts


def _write_part(index: Index, start: tuple[int, int, int], version: Path) -> Part:
    """Rows of every table from ``start`` (articles, chunks, sentences) to the end, as a new part."""
    a0, c0, s0 = start
    part = Part(f"p-{uuid.uuid4().hex[:12]}", *(n - s for n, s in zip(index.counts(), start, strict=True)))
    articles = list(itertools.islice(index.articles.values(), a0, None))
    _write(part.path(version, "articles.jsonl"), _jsonl([asdict(a) for a in articles]))
    _write(part.path(version, "chunks.jsonl"), _jsonl([asdict(c) for c in index.chunks[c0:]]))
    _write(part.path(version, "sentences.jsonl"), _jsonl([list(k) for k in index.sentences.keys[s0:]]))
    tokens = index.tokens
    first, end = int(tokens.offsets[c0]), int(tokens.offsets[-1])
    for table, array in (("vectors.npy", index.vectors.rows_from(c0)), ("tokens.npy", tokens.ids_between(first, end)),
                         ("token_offsets.npy", tokens.offsets[c0:] - first),
                         ("sentence_vectors.npy", index.sentences.rows.rows_from(s0))):
        _save_npy(part.path(version, table), array)
    return part


def save(index: Index, index_dir: Path) -> str:
    """Write ``index`` as a new version and make it live. Call while holding :func:`writer_lock`."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"v-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir()
    live, parts = _reusable_parts(index, index_dir)
    reused = len(parts)
    for part in parts:  # unchanged rows: the live version's files, hard-linked (parts are never modified)
        for table in PART_TABLES:
            os.link(part.path(index_dir / live, table), part.path(tmp, table))
    start = _rows(parts)
    if start != index.counts() or not parts:
        parts.append(_write_part(index, start, tmp))
    _write(tmp / "vocab.json", json.dumps(index.tokens.vocab.words, ensure_ascii=False).encode("utf-8"))
    save_bm25(index.bm25, tmp / "bm25")
    if isinstance(index.ann, faiss.Index) and not isinstance(index.ann, faiss.IndexFlat):
        faiss.write_index(index.ann, str(tmp / "ann.faiss"))
    manifest = {
        **asdict(index.meta),
        "format_version": FORMAT_VERSION,
        "counts": {"articles": len(index.articles), "chunks": len(index.chunks)},
        "parts": [asdict(p) for p in parts],
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
    index.saved_as = name
    log.info("index saved as %s (%d articles, %d chunks; %d parts, %d of them reused)", name, len(index.articles),
             len(index.chunks), len(parts), reused)
    return name


def _concat(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return arrays[0].astype(dtype, copy=False) if len(arrays) == 1 else np.concatenate(arrays).astype(dtype, copy=False)


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


_ARTICLE_STRINGS = ("id", "title", "source")
_CHUNK_STRINGS = ("article_id", "title", "source", "heading")  # equal strings in every chunk of an article


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
    parts = [Part(**p) for p in manifest["parts"]] if "parts" in manifest else [Part("", 0, 0, 0)]
    articles = {}
    chunks, token_lists = [], []
    # every chunk and sentence repeats its article's id, title, heading and source: hold each string once
    shared: dict[str, str] = {}
    for part in parts:
        for row in _read_jsonl(part.path(version, "articles.jsonl")):
            row["paragraphs"] = tuple(tuple(p) for p in row["paragraphs"])
            for key in _ARTICLE_STRINGS:
                row[key] = shared.setdefault(row[key], row[key])
            articles[row["id"]] = Article(**{k: tuple(v) if isinstance(v, list) else v for k, v in row.items()})
        for row in _read_jsonl(part.path(version, "chunks.jsonl")):
            if "tokens" in row:  # format 2
                token_lists.append(row.pop("tokens"))
            row["districts"] = tuple(row["districts"])
            if "regions" in row:
                row["regions"] = tuple(row["regions"])
            for key in _CHUNK_STRINGS:
                row[key] = shared.setdefault(row[key], row[key])
            chunks.append(Chunk(**row))
    tokens: TokenTable | list[list[str]] = token_lists
    if (version / "vocab.json").exists():
        vocab = Vocabulary()
        vocab.words = json.loads((version / "vocab.json").read_text(encoding="utf-8"))
        vocab.ids = {w: i for i, w in enumerate(vocab.words)}
        # one block per part, left on disk (read only when the BM25 matrix is rebuilt, or rows are deleted)
        ids = [StoredArray(part.path(version, "tokens.npy"), kinds="iu", read_as=np.int32, what="token ids")
               for part in parts]
        offsets = [np.load(part.path(version, "token_offsets.npy")) for part in parts]
        bases = np.cumsum([0, *(len(i) for i in ids)])
        tokens = TokenTable(vocab, ids,
                            _concat([offsets[0][:1], *(o[1:] + base for o, base in zip(offsets, bases, strict=False))],
                                    np.int64))
    # memory-mapped, one block per part: an upload's snapshot shares them, and the page cache (not this
    # process's heap) holds them; exact search reads them all, an approximate index only at the next rebuild
    vectors = RowBlocks(tuple(np.load(part.path(version, "vectors.npy"), mmap_mode="r") for part in parts), meta.dim)
    ann = faiss.read_index(str(version / "ann.faiss")) if (version / "ann.faiss").exists() else None
    if ann is not None and manifest.get("ann_knob"):
        set_knob(ann, manifest["ann_knob"])
    keys = SentenceKeys.of((shared.get(aid, aid), a, b) for part in parts
                           for aid, a, b in _read_jsonl(part.path(version, "sentences.jsonl")))
    del shared
    # sentence vectors are read a few rows per question: left on disk, neither loaded nor mapped
    blocks = tuple(StoredArray(part.path(version, "sentence_vectors.npy"), ndim=2, kinds="f", what="sentence vectors")
                   for part in parts)
    sentences = SentenceTable(keys, RowBlocks(blocks, meta.dim, STORED))
    index = Index(meta, articles, chunks, tokens, vectors, bm25=load_bm25(version / "bm25"), ann=ann,
                  ann_threshold=ann_threshold, sentences=sentences, ann_params=ann_params)
    index.saved_as = name
    return index, name
