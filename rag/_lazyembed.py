"""An embedder that loads its model on first use, so commands that never embed (stats, list, delete) stay fast.

>>> from embeddings.hashing import HashEmbedder
>>> from rag.config import Settings
>>> calls = []
>>> lazy = LazyEmbedder(Settings(model="hash-8"), lambda s: calls.append(s.model) or HashEmbedder(8))
>>> lazy.name, calls                       # the index is checked against the configured name: no load
('hash-8', [])
>>> lazy.dim, lazy.loaded, calls
(8, True, ['hash-8'])
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from embeddings.base import Embedder

from .config import Settings


class LazyEmbedder:
    """Stands in for the :class:`Embedder` of ``settings.model``; any attribute but ``name`` loads it once."""

    def __init__(self, settings: Settings, load: Callable[[Settings], Embedder]) -> None:
        self.name = settings.model  # the loaders name every embedder after the setting that chose it
        self._settings = settings
        self._load = load
        self._embedder: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._embedder is not None

    def get(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._load(self._settings)
            return self._embedder

    def __getattr__(self, attr: str) -> object:  # only for attributes not set above
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self.get(), attr)
