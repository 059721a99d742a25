"""The fitted models, as data: a logistic sentence ranker and a logistic refusal score (parameters in
``data/ranker.json``, written by ``python -m rag.answer.fit``).

>>> m = Logistic(("a", "b"), np.array([0.0, 0.0]), np.array([1.0, 1.0]), np.array([2.0, -1.0]), 0.5)
>>> [round(v, 4) for v in m.probability(np.array([[1.0, 1.0], [0.0, 0.0]], dtype=np.float32))]
[0.8176, 0.6225]
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.errors import RagError

from .features import RANKER_FEATURES

log = logging.getLogger(__name__)

PARAMS = Path(__file__).with_name("data") / "ranker.json"


@dataclass(frozen=True)
class Logistic:
    """``sigmoid(((x - mean) / scale) @ coef + intercept)`` over named features."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5  # the decision point chosen when fitting (the refusal score uses it)

    def logit(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit(x)))

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.round(6).tolist(),
                "scale": self.scale.round(6).tolist(), "coef": self.coef.round(6).tolist(),
                "intercept": round(float(self.intercept), 6), "threshold": round(float(self.threshold), 6)}

    @classmethod
    def from_json(cls, row: dict) -> Logistic:
        return cls(tuple(row["features"]), np.array(row["mean"], np.float32), np.array(row["scale"], np.float32),
                   np.array(row["coef"], np.float32), float(row["intercept"]), float(row.get("threshold", 0.5)))


@dataclass(frozen=True)
class Models:
    sentence: Logistic
    refusal: Logistic | None
    provenance: dict


def for_model(model: str, path: Path = PARAMS) -> Models | None:
    """The fitted models when they were fitted on ``model``'s sentence vectors and on today's features, else None
    (their cosine features would mean something else: the hand-weighted scorer and the key-term coverage gate are
    used then)."""
    models = load(path)
    if models is None or models.provenance.get("model", model) != model:
        return None
    if models.sentence.features != RANKER_FEATURES:
        # parameters fitted on other features would misread every row (or fail on its width)
        log.warning("fitted answer parameters in %s are for other features; rerun python -m rag.answer.fit", path)
        return None
    return models


@lru_cache(maxsize=4)
def load(path: Path = PARAMS) -> Models | None:
    """The fitted models, or None when the parameter file is absent (the hand-weighted scorer is used then)."""
    if not path.exists():
        log.warning("no fitted answer parameters at %s; run python -m rag.answer.fit", path)
        return None
    try:
        row = json.loads(path.read_text(encoding="utf-8"))
        refusal = Logistic.from_json(row["refusal"]) if row.get("refusal") else None
        return Models(Logistic.from_json(row["sentence"]), refusal, row.get("provenance", {}))
    except (KeyError, ValueError, TypeError) as exc:
        raise RagError(f"fitted answer parameters in {path} are malformed ({exc}); rerun python -m rag.answer.fit") from exc
