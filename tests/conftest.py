"""Shared fixtures: the seed pages, one tokeniser, a hash-embedder library and a real-model library (each built once).

The two session libraries are read-only: a test that ingests or deletes builds its own with ``make_hash_library``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from api_server import API_KEYS, shared_server

from embeddings.hashing import HashEmbedder
from rag import Library, Settings
from rag.ingest.tokenize import Tokenizer

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def tokenizer() -> Tokenizer:
    """One jieba tokeniser for every hash library (building one costs ~1 s)."""
    return Tokenizer()


@pytest.fixture(scope="session")
def make_hash_library(tokenizer: Tokenizer) -> Callable[..., Library]:
    """``make_hash_library(index_dir)`` -> an (empty or existing) library with the ``hash-256`` embedder."""

    def make(index_dir: Path, **overrides: object) -> Library:
        settings = Settings(index_dir=index_dir, model="hash-256", progress=False, **overrides)
        return Library(settings, HashEmbedder(), tokenizer)

    return make


@pytest.fixture(scope="session")
def hash_library(tmp_path_factory: pytest.TempPathFactory, make_hash_library: Callable[..., Library],
                 seeds_dir: Path) -> Library:
    """The five seed pages indexed with the cheap embedder. Read-only."""
    lib = make_hash_library(tmp_path_factory.mktemp("hash") / "index")
    lib.ingest_paths([seeds_dir])
    return lib


@pytest.fixture(scope="session")
def real_library(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Library:
    """The seeds indexed with the default model (``Settings()`` defaults). Read-only; use only in slow tests.

    Built once per session (~2 min on CPU, most of it sentence vectors).
    """
    from embeddings.loader import load_embedder

    settings = Settings(index_dir=tmp_path_factory.mktemp("real") / "index", cache_dir=ROOT / ".cache",
                        progress=False)
    lib = Library(settings, load_embedder(settings))
    lib.ingest_paths([seeds_dir])
    return lib


# -- the shared API server (tests/api_server.py); a module may override these with its own -------------------

@pytest.fixture(scope="session")
def server():
    """The shared subprocess server (hash embedder, seeds); after the session its log must show no server error."""
    running = shared_server()
    yield running
    log = running.log()
    assert "Traceback" not in log and "internal error" not in log, log[-3000:]


@pytest.fixture(scope="session")
def client(server) -> httpx.Client:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_KEYS[0]}"}
