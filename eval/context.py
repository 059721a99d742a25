"""What the stages of an evaluation share: the dataset, the library, the chunk runs and the settings used."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag import Library, Settings

from .dataset import Dataset, Query
from .runs import ChunkRun, spec


@dataclass
class Context:
    """What the stages share: the dataset, the library, the chunk runs and the settings used."""

    dataset: Dataset
    lib: Library
    settings: Settings
    split: str
    chunks: dict[str, ChunkRun] = field(default_factory=dict)

    @property
    def queries(self) -> list[Query]:
        return self.dataset.queries_in(self.split)

    @property
    def types(self) -> dict[str, str]:
        return {q.id: q.type or "-" for q in self.dataset.queries.values()}

    def spec(self, name: str, **overrides):
        s = self.settings
        params = {"rrf_k": s.rrf_k, "weights": (s.bm25_weight, s.dense_weight), "candidates": s.candidates}
        return spec(name, **{**params, **overrides})
