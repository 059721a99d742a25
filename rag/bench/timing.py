"""Timing helpers: percentiles, repeated-run summaries, peak memory (pure but for the clock and getrusage)."""

from __future__ import annotations

import math
import resource
import time
from collections.abc import Callable, Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: ``percentile([1, 2, 3, 4], 0.5) == 2``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def latency_runs(fn: Callable[[str], object], queries: Sequence[str], runs: int,
                 before_run: Callable[[], None] | None = None) -> dict:
    """Call ``fn`` on every query, ``runs`` times; per run p50/p95/p99 in ms, then the median and p95 of each over
    the runs (``{"p50": {"median": .., "p95": ..}, ...}``)."""
    per_run = []
    for _ in range(runs):
        if before_run:
            before_run()
        times = []
        for q in queries:
            began = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - began) * 1000)
        per_run.append({p: percentile(times, v) for p, v in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))})
    return summarise(per_run)


def summarise(per_run: Sequence[dict[str, float]]) -> dict:
    """``[{"p50": 1.0}, {"p50": 3.0}] -> {"p50": {"median": 1.0, "p95": 3.0, "runs": [1.0, 3.0]}}``"""
    keys = per_run[0].keys() if per_run else ()
    return {k: {"median": round(percentile([r[k] for r in per_run], 0.5), 3),
                "p95": round(percentile([r[k] for r in per_run], 0.95), 3),
                "runs": [round(r[k], 3) for r in per_run]} for k in keys}


def rate_runs(fn: Callable[[], int], runs: int) -> dict:
    """Items per second of ``fn`` (which returns how many items it did), median/p95 over runs."""
    rates = []
    for _ in range(runs):
        began = time.perf_counter()
        n = fn()
        rates.append(n / max(time.perf_counter() - began, 1e-9))
    return {"median": round(percentile(rates, 0.5), 1), "p95": round(percentile(rates, 0.95), 1),
            "runs": [round(r, 1) for r in rates]}


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports KB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def rss_mb() -> float | None:
    """Resident set size now, in MB (None where /proc is missing)."""
    return _status_mb("VmRSS")


def rss_split_mb() -> dict[str, float | None]:
    """Resident memory now by kind: ``anon`` is this process's own (heap, arrays); ``file`` is pages of mapped
    files (libraries, the model, memory-mapped index files): clean page cache the kernel can drop and re-read."""
    return {"anon": _status_mb("RssAnon"), "file": _status_mb("RssFile")}


class PhasePeak:
    """Peak RSS of one phase: the kernel's high-water mark is reset on entry (``/proc/self/clear_refs``), so
    ``mb`` is the most this process held during the ``with`` block, not since it started."""

    def __enter__(self) -> PhasePeak:
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
                fh.write("5")
            self.reset = True
        except OSError:
            self.reset = False  # then the figure is the peak since start
        return self

    def __exit__(self, *exc: object) -> None:
        self.mb = _status_mb("VmHWM") if self.reset else peak_rss_mb()


class Timer:
    def __enter__(self) -> Timer:
        self.began = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.began
