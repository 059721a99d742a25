"""What the running app holds: settings, the library once loaded, the rate limiter and the feedback store.

The index and model load in a background thread started by the lifespan, so the server answers ``/healthz`` at
once and ``/readyz`` (and every data endpoint) with 503 until the library is ready.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from rag.config import Settings
from rag.errors import IndexNotReadyError, RagError
from rag.library import Library

from .feedback_store import FeedbackStore
from .ratelimit import SlidingWindowLimiter

log = logging.getLogger(__name__)

Loader = Callable[[Settings], Library]


class AppState:
    def __init__(self, settings: Settings, library: Library | None = None) -> None:
        self.settings = settings
        self.library = library
        self.load_error: str | None = None
        self.limiter = SlidingWindowLimiter(settings.rate_limit_per_minute)
        self.feedback = FeedbackStore.of(settings)
        self._loader: threading.Thread | None = None

    def require_library(self) -> Library:
        library = self.library
        if library is not None:
            return library
        if self.load_error is not None:
            raise IndexNotReadyError(f"the index could not be loaded: {self.load_error}")
        raise IndexNotReadyError("the index is still loading; retry in a few seconds.")

    def start_loading(self, loader: Loader) -> None:
        """Load in a daemon thread (a stuck model load must not block shutdown)."""
        if self.library is not None or self._loader is not None:
            return
        self._loader = threading.Thread(target=self._load, args=(loader,), name="index-loader", daemon=True)
        self._loader.start()

    def _load(self, loader: Loader) -> None:
        began = time.perf_counter()
        log.info("loading index from %s (model %s)", self.settings.index_dir, self.settings.model)
        try:
            library = loader(self.settings)
        except RagError as exc:
            self.load_error = exc.message
            log.error("index not loaded: %s", exc.message)
            return
        except Exception as exc:
            self.load_error = f"{type(exc).__name__} (see the server log)"
            log.exception("index not loaded")
            return
        self.library = library
        stats = library.stats()
        log.info("index ready in %.1f s: %s articles, %s chunks, model %s", time.perf_counter() - began,
                 stats["articles"], stats["chunks"], stats["model"])
