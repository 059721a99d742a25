"""Index: the searchable snapshot of a collection and its files on disk.

Owns embedding an ingest batch (chunk and sentence vectors), the :class:`Index` snapshot (articles, chunks, token
ids, vectors, sentence vectors), its atomic versioned store, the retrievers — BM25 (bm25s), dense (faiss, exact or
approximate) and their fusion (RRF, weighted, margin; the choice measured per corpus in ``fusion.json``) — and the
optional Milvus backend. Modules named ``_*`` hold the array containers the snapshot is built from.
"""

from . import store
from .bm25 import BM25Retriever
from .dense import DenseRetriever, QueryCache
from .embed import embed_chunks, embed_sentences, embed_texts
from .fusion import Fusion, HybridRetriever, load_fusion, save_fusion
from .sentvec import SentenceTable
from .snapshot import Index, IndexMeta

__all__ = ["BM25Retriever", "DenseRetriever", "Fusion", "HybridRetriever", "Index", "IndexMeta", "QueryCache",
           "SentenceTable", "embed_chunks", "embed_sentences", "embed_texts", "load_fusion", "save_fusion", "store"]
