"""Rank fusion (pure), the per-corpus fusion choice stored with an index, and the :class:`HybridRetriever`.

Three ways to fuse BM25 and dense hits, chosen per corpus by measurement (``python -m eval`` selects one on a
dev split and stores it next to the index as ``fusion.json``):

* ``rrf``: reciprocal-rank fusion with a tuned ``k``;
* ``weighted``: a convex combination of min-max normalised scores;
* ``margin``: ``weighted`` whose BM25 weight grows with BM25's own confidence in this query, the gap between its
  first and second score (a query whose words single out one chunk needs little help from the dense side).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from rag.types import Filters, Hit, Retriever

log = logging.getLogger(__name__)

FUSION_FILE = "fusion.json"
Method = Literal["rrf", "weighted", "margin"]


def rrf(runs: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None) -> dict[str, float]:
    """Reciprocal-rank fusion: ``sum_w w / (k + rank)`` with ranks from 1.

    >>> rrf([["a", "b"], ["b", "c"]], k=1)
    {'a': 0.5, 'b': 0.8333333333333333, 'c': 0.3333333333333333}
    """
    weights = weights or [1.0] * len(runs)
    fused: dict[str, float] = {}
    for run, weight in zip(runs, weights, strict=True):
        for rank, key in enumerate(run, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return fused


def weighted(runs: Sequence[Mapping[str, float]], weights: Sequence[float]) -> dict[str, float]:
    """Convex combination of min-max normalised scores; a missing key scores 0 in that run.

    >>> weighted([{"a": 2.0, "b": 1.0}, {"b": 0.9, "c": 0.5}], [0.5, 0.5])
    {'a': 0.5, 'b': 0.5, 'c': 0.0}
    >>> weighted([{"x": 7.0}, {"y": 0.9, "x": 0.5, "z": 0.1}], [0.5, 0.5])["x"]
    0.75
    """
    fused: dict[str, float] = {}
    for run, weight in zip(runs, weights, strict=True):
        if not run:
            continue
        lo, hi = min(run.values()), max(run.values())
        for key, score in run.items():
            # a run whose hits all score the same (e.g. a single hit) ranks them all first
            norm = (score - lo) / (hi - lo) if hi > lo else 1.0
            fused[key] = fused.get(key, 0.0) + weight * norm
    return fused


def margin(scores: Sequence[float]) -> float:
    """How far the best score stands above the second, as a share of the best (0 with fewer than two, or no
    positive best).

    >>> margin([8.0, 6.0, 1.0]), margin([5.0]), margin([])
    (0.25, 0.0, 0.0)
    """
    if len(scores) < 2 or scores[0] <= 0:
        return 0.0
    return max(0.0, (scores[0] - scores[1]) / scores[0])


@dataclass(frozen=True)
class Fusion:
    """One fusion configuration. ``weights`` are (BM25, dense); ``margin_gain`` is what ``margin`` adds to the
    BM25 weight per unit of BM25 margin (the weights are then renormalised to sum to 1).

    >>> Fusion("margin", weights=(0.5, 0.5), margin_gain=0.5).weights_for([10.0, 5.0])  # margin 0.5: 0.75 vs 0.5
    (0.6, 0.4)
    """

    method: Method = "rrf"
    rrf_k: int = 60
    weights: tuple[float, float] = (0.5, 0.5)
    margin_gain: float = 0.0

    def weights_for(self, bm25_scores: Sequence[float]) -> tuple[float, float]:
        if self.method != "margin":
            return self.weights
        b = min(1.0, max(0.0, self.weights[0] + self.margin_gain * margin(bm25_scores)))
        d = self.weights[1]
        total = b + d
        return (b / total, d / total) if total > 0 else (0.5, 0.5)

    def fuse(self, bm25: Mapping[str, float], dense: Mapping[str, float]) -> dict[str, float]:
        """Fused scores of the keys of two runs (each ordered best first)."""
        if self.method == "rrf":
            return rrf([list(bm25), list(dense)], self.rrf_k, [2 * w for w in self.weights])
        return weighted([bm25, dense], self.weights_for(list(bm25.values())))

    def label(self) -> str:
        """A short name for tables: ``rrf k=20``, ``weighted 0.7/0.3``, ``margin 0.3/0.7+1.5``."""
        if self.method == "rrf":
            return f"rrf k={self.rrf_k}"
        w = f"{self.weights[0]:g}/{self.weights[1]:g}"
        return f"weighted {w}" if self.method == "weighted" else f"margin {w}+{self.margin_gain:g}"

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Fusion:
        w = data.get("weights", (0.5, 0.5))
        return cls(str(data.get("method", "rrf")), int(data.get("rrf_k", 60)),  # type: ignore[arg-type]
                   (float(w[0]), float(w[1])), float(data.get("margin_gain", 0.0)))  # type: ignore[index]


def save_fusion(index_dir: str | Path, fusion: Fusion, evidence: Mapping[str, object] | None = None) -> Path:
    """Store ``fusion`` as the index's choice (with what it was chosen on); returns the file."""
    path = Path(index_dir) / FUSION_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"fusion": asdict(fusion), "evidence": dict(evidence or {})}, ensure_ascii=False,
                              indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


_loaded: dict[Path, tuple[int, Fusion | None]] = {}


def load_fusion(index_dir: str | Path) -> Fusion | None:
    """The fusion stored with the index in ``index_dir``, or None (read again only when the file changes)."""
    path = Path(index_dir) / FUSION_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    cached = _loaded.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        fusion: Fusion | None = Fusion.from_dict(json.loads(path.read_text(encoding="utf-8"))["fusion"])
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.warning("%s is unreadable (%s); using the configured fusion", path, exc)
        fusion = None
    _loaded[path] = (stamp, fusion)
    return fusion


class HybridRetriever:
    name = "hybrid"

    def __init__(self, bm25: Retriever, dense: Retriever, method: Method = "rrf", rrf_k: int = 60,
                 weights: tuple[float, float] = (0.5, 0.5), candidates: int = 50, margin_gain: float = 0.0) -> None:
        self.bm25, self.dense = bm25, dense
        self.fusion = Fusion(method, rrf_k, weights, margin_gain)
        self.method, self.rrf_k, self.weights, self.candidates = method, rrf_k, weights, candidates

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        n = max(k, self.candidates)
        lists = [self.bm25.search(query, n, filters), self.dense.search(query, n, filters)]
        chunks = {h.chunk_id: h.chunk for hits in lists for h in hits}
        fused = self.fusion.fuse(*({h.chunk_id: h.score for h in hits} for hits in lists))
        best = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [Hit(chunks[cid], score, self.name) for cid, score in best]
