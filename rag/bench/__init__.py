"""The performance benchmark (``python -m rag.bench``): a synthetic newspaper of any size, ingest and query
figures for our index, a baseline pipeline and the Milvus backend. Not a test; results go to bench/out/."""

from .corpus import Seeds, SyntheticPage, generate_pages, load_seeds
from .timing import percentile

__all__ = ["Seeds", "SyntheticPage", "generate_pages", "load_seeds", "percentile"]
