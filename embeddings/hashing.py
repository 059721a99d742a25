"""A deterministic, dependency-free embedder for fast unit tests: hashed character unigrams and bigrams.

Texts sharing characters get similar vectors, so retrieval tests still behave sensibly, but there is
no semantics: "工会" and "union" are unrelated. Stable across processes and platforms (crc32, not ``hash``).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from embeddings.base import Embedder


def char_features(text: str) -> list[str]:
    """Character unigrams then bigrams: ``"工会" -> ["工", "会", "工会"]``."""
    return list(text) + [text[i : i + 2] for i in range(len(text) - 1)]


class HashEmbedder(Embedder):
    """Signed feature hashing of :func:`char_features` into ``dim`` buckets (L2-normalised by the base class)."""

    def __init__(self, dim: int = 256, query_prompt: str = "query: ", passage_prompt: str = "passage: ") -> None:
        if dim < 2:
            raise ValueError("dim must be at least 2")
        self.dim = dim
        self.name = f"hash-{dim}"
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in char_features(text):
                h = zlib.crc32(feature.encode("utf-8"))
                out[row, h % self.dim] += 1.0 if h & 0x8000_0000 else -1.0  # the top bit picks the sign
        return out
