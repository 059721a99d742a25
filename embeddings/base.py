"""The one embedding seam: an :class:`Embedder` turns texts into L2-normalised float32 vectors."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation to float32; zero rows stay zero.

    >>> l2_normalise(np.array([[3.0, 4.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


class Embedder(ABC):
    """Subclasses implement :meth:`_embed` for a batch; prompts and normalisation live here."""

    name: str
    dim: int
    query_prompt: str = ""
    passage_prompt: str = ""

    @abstractmethod
    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        """Raw vectors for already-prompted texts, shape ``(len(texts), dim)``."""

    def _embed_passages(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Raw vectors for prompted passages; a subclass may run these in another precision, and in model batches
        of ``batch_size`` (None: its own setting)."""
        return self._embed(texts)

    def embed_documents(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Passage vectors; ``batch_size`` texts per forward pass where the model batches (None: its setting)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(self._embed_passages([self.passage_prompt + t for t in texts], batch_size))

    def embed_query(self, text: str) -> np.ndarray:
        return l2_normalise(self._embed([self.query_prompt + text]))[0]
