"""In-memory sliding-window rate limiting, one window per caller (an API key, or else the client address).

>>> clock = iter([0.0, 1.0, 2.0, 61.5]).__next__
>>> limiter = SlidingWindowLimiter(2, 60.0, clock=clock)
>>> [limiter.check("ip:1.2.3.4") for _ in range(4)]
[0.0, 0.0, 58.0, 0.0]
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from rag.errors import RateLimitedError


class RateLimited(RateLimitedError):
    """429 with the seconds to wait, sent as ``Retry-After``."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SlidingWindowLimiter:
    """At most ``limit`` requests per ``window`` seconds per bucket; ``limit <= 0`` disables limiting."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def check(self, *buckets: str) -> float:
        """Record a request in every bucket and return 0.0, or return the seconds until all of them have room (and
        record nothing): a request counted against a caller and a shared group must fit in both."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            wait = 0.0
            for bucket in buckets:  # looked up, not created: a refused caller leaves nothing behind
                hits = self._hits.get(bucket)
                while hits and hits[0] <= now - self.window:
                    hits.popleft()
                if hits is not None and len(hits) >= self.limit:
                    wait = max(wait, hits[0] + self.window - now)
            if wait > 0:
                return wait
            for bucket in buckets:
                self._hits.setdefault(bucket, deque()).append(now)
            self._calls += 1
            if self._calls % 1024 == 0:
                self._prune(now)
            return 0.0

    def hit(self, buckets: tuple[str, ...], who: str) -> None:
        """Like :meth:`check`, raising :class:`RateLimited` when a bucket is full."""
        wait = self.check(*buckets)
        if wait > 0:
            raise RateLimited(f"too many requests from {who}: the limit is {self.limit} per minute "
                              f"(RAG_RATE_LIMIT_PER_MINUTE on the server); retry in {math.ceil(wait)} s.",
                              max(1, math.ceil(wait)))

    def _prune(self, now: float) -> None:
        """Forget callers whose whole window has expired, so memory follows the active callers only."""
        for bucket in [b for b, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[bucket]
