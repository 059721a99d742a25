"""Helpers shared by the ``test_reliability_*`` modules: page variants made from the seeds, the ingest CLI in a
subprocess, and an index check that loads a directory the way a restarted process would.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from api_server import ROOT, SEEDS, rag_env

from embeddings.hashing import HashEmbedder
from rag import Library, Settings

SEED_PAGES = sorted(SEEDS.glob("*.txt"))
_BYLINE = re.compile(r"^(本报讯\s*(?:[（(][^）)]{0,60}[）)])?)", re.M)


def seed_text(n: int = 0) -> str:
    return SEED_PAGES[n].read_text(encoding="utf-8")


def variant(text: str, tag: str) -> str:
    """The page with every news article changed a little (a tag after each byline), so all get new ids.

    >>> variant("## 标题\\n\\n本报讯（记者 甲）近日，某区工会举办活动。\\n", "v1")
    '## 标题\\n\\n本报讯（记者 甲）v1消息，近日，某区工会举办活动。\\n'
    """
    return _BYLINE.sub(lambda m: f"{m.group(1)}{tag}消息，", text)


def write_variants(directory: Path, copies: int, tag: str = "副本") -> list[Path]:
    """``copies`` variants of each seed page, as UTF-8 files in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(copies):
        for n, seed in enumerate(SEED_PAGES):
            path = directory / f"{tag}-{i:03d}-{seed.name}"
            path.write_text(variant(seed_text(n), f"{tag}{i}"), encoding="utf-8")
            paths.append(path)
    return paths


def cli_env(**settings: object) -> dict[str, str]:
    return rag_env(**{"model": "hash-256", "progress": "false", **settings})


def cli(index_dir: Path, *args: str | Path, env: dict[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``python -m rag --index-dir DIR -q ARGS...`` with the hash embedder; never raises on a non-zero exit."""
    return subprocess.run([sys.executable, "-m", "rag", "--index-dir", str(index_dir), "-q", *map(str, args)],
                          cwd=ROOT, env=env or cli_env(), capture_output=True, text=True, timeout=timeout)


def cli_popen(index_dir: Path, *args: str | Path, env: dict[str, str], stderr) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rag", "--index-dir", str(index_dir), *map(str, args)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)


@dataclass(frozen=True)
class State:
    """What a fresh process finds in an index directory."""

    version: str | None
    articles: int
    chunks: int
    article_ids: frozenset[str]


def load_state(index_dir: Path) -> State:
    """Load ``index_dir`` with a fresh Library and check it is whole; return its counts.

    Whole means: every chunk belongs to a stored article and every article has chunks, chunk ids are unique, and
    tokens, vectors and the keyword index line up with the chunks.
    """
    lib = Library(Settings(index_dir=index_dir, model="hash-256", progress=False), HashEmbedder())
    index = lib.index
    ids = [c.id for c in index.chunks]
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    assert {c.article_id for c in index.chunks} == set(index.articles), "chunks and articles disagree"
    assert len(index.tokens) == len(index.chunks) == index.vectors.shape[0]
    if index.chunks:
        assert len(lib.search("工会", k=3, retriever="bm25")) == 3
        assert len(lib.search("工会", k=3, retriever="dense")) == 3
    return State(lib.stats()["version"], len(index.articles), len(index.chunks), frozenset(index.articles))
