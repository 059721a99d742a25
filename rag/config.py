"""One settings object for the whole product, read from ``RAG_*`` environment variables.

Nothing else reads ``os.environ``: build a :class:`Settings` at the edge (CLI, API lifespan, tests) and pass it in.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from embeddings.config import DEFAULT_MODEL


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Configuration; every field can be set as ``RAG_<FIELD>`` (e.g. ``RAG_INDEX_DIR=/data/index``)."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=None, extra="ignore")

    # storage
    index_dir: Path = Path("var/index")
    cache_dir: Path = Path(".cache")

    # embeddings
    model: str = DEFAULT_MODEL
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    embed_batch_size: int = 16
    threads: int = 2
    # passages (ingest) in bfloat16 where the CPU computes it natively (AMX / AVX512-BF16): ~2x the float32 rate at
    # cosine >= 0.9999 to float32; questions always run in float32 (one short text: bfloat16 is no faster there)
    embed_precision: Literal["auto", "float32", "bfloat16"] = "auto"

    sentence_vectors: bool = True

    # bulk import (python -m rag import): an index version saved every this many new articles; parser processes
    import_batch: int = Field(default=500, ge=1)
    import_workers: int = Field(default=1, ge=0)

    # chunking
    chunk_size: int = 350
    chunk_overlap: int = 60

    # keyword side
    user_dict: Path | None = None

    # retrieval
    retriever: Literal["hybrid", "bm25", "dense"] = "hybrid"
    # an index's own measured choice (fusion.json, written by `python -m eval`) wins unless these are set
    fusion: Literal["rrf", "weighted", "margin"] = "rrf"
    rrf_k: int = 60
    bm25_weight: float = 0.5
    dense_weight: float = 0.5
    margin_gain: float = 0.0  # fusion=margin: added to the BM25 weight per unit of BM25's top-score margin
    candidates: int = 50
    ann_threshold: int = 200_000  # exact search below this many chunks, an approximate index above
    ann_kind: Literal["ivf", "hnsw"] = "ivf"  # IVF builds ~20x faster here; HNSW searches faster at equal recall
    ann_target_recall: float = 0.98  # the search knob (nprobe / efSearch) is the smallest reaching this recall@10
    ivf_nlist: int = 0  # 0: sqrt(chunks)
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    query_cache_size: int = 1024

    # search backend: the embedded FAISS + bm25s index, or a Milvus (Lite file or cluster URI); see docs/milvus.md
    backend: Literal["embedded", "milvus"] = "embedded"
    milvus_uri: str = "var/milvus.db"
    milvus_token: str | None = None
    milvus_collection: str = "ghnews_chunks"

    # answers
    answer_k: int = 8
    # refuse below this answerability score: the fitted refusal model's probability (rag/answer/data/ranker.json);
    # key-term coverage when nothing is fitted. Chosen on the eval suite's threshold sweeps: at 0.20 against 0.30
    # the seeds and CRUD refuse the same unanswerable questions, DRCD's false refusals fall 3.4% -> 2.5%
    refusal_threshold: float = 0.20
    # refuse below this idf-weighted key-term coverage where no fitted score applies (English questions bridged by
    # the glossary, an embedding model the answer parameters were not fitted on)
    coverage_threshold: float = 0.40
    dense_refusal_threshold: float = 0.765
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_timeout: float = 20.0

    # api
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    read_requires_key: bool = False
    # browsers may call the API from these sites (the widget on a host page); none: the bundled page only
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # reverse proxies whose X-Forwarded-For is believed (addresses or networks); none: the TCP peer is the client
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_question_chars: int = 500
    max_k: int = 50
    max_upload_bytes: int = 25 * 1024 * 1024
    rate_limit_per_minute: int = 120
    feedback_path: Path | None = None
    feedback_max_bytes: int = 5 * 1024 * 1024  # the feedback file rotates at this size ...
    feedback_backups: int = 3  # ... keeping this many older files (feedback.jsonl.1 is the newest of them)

    #: progress bars on long work: None (unset) shows them only on a terminal, true always, false never
    progress: bool | None = None

    @field_validator("api_keys", "cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        """``RAG_API_KEYS=k1,k2`` -> ``["k1", "k2"]``."""
        return _split_csv(value)

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        """Each entry an IP address or network (``10.0.0.0/8``), so a typo fails at start-up, not silently."""
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"RAG_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
        return value

    @property
    def model_dir(self) -> Path:
        """Where converted models are cached."""
        return self.cache_dir / "models"
