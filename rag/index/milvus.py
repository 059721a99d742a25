"""Milvus as the search backend (I/O edge): dense vectors plus Milvus's built-in BM25 full-text search with its
jieba analyzer, fused server-side by ``hybrid_search`` with ``RRFRanker`` — behind the same :class:`Retriever` seam.

One collection holds every chunk: ``id`` (chunk id), the chunk's fields (so hits come back as :class:`Chunk`
without the local docstore), ``text`` (the chunk's search form, analysed by jieba with our user dictionary and
stopwords), ``dense`` (the passage vector) and ``sparse`` (filled by the collection's BM25 function).

``MilvusClient("./x.db")`` runs Milvus Lite in-process (tests, one machine); ``MilvusClient("http://host:19530",
token=…)`` talks to a Milvus cluster. When the server has no BM25 function (Milvus Lite before 2.5, Milvus before
2.5), the collection is created without it and the keyword side falls back to our bm25s index, fused by our RRF
(``full_text`` says which one is in use). See docs/milvus.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from rag.errors import InputError
from rag.ingest.textnorm import search_form
from rag.ingest.tokenize import STOPWORDS, Tokenizer
from rag.types import Chunk, Filters, Hit, Retriever

from .bm25 import BM25Retriever
from .dense import QueryCache
from .fusion import HybridRetriever

log = logging.getLogger(__name__)

FIELDS = ("id", "article_id", "n", "chunk_text", "start", "end", "title", "heading", "source", "districts")
MAX_TEXT = 8192


def analyzer_params(tokenizer: Tokenizer | None = None) -> dict[str, Any]:
    """jieba in search mode (compounds and their parts, like ours) with our user terms and stopwords."""
    jieba: dict[str, Any] = {"type": "jieba", "mode": "search"}
    if tokenizer is not None:
        jieba["dict"] = ["_default_", *tokenizer.user_terms]
    return {"tokenizer": jieba, "filter": [{"type": "stop", "stop_words": sorted(STOPWORDS)}]}


#: array capacities of the filter fields (an article naming more places is filtered by its first ones)
MAX_DISTRICTS, MAX_REGIONS = 32, 64


def _filter_expr(filters: Filters | None, places: bool = True) -> str:
    """A Milvus boolean expression with the meaning of :meth:`Filters.accepts`. ``places=False`` for a collection
    made before regions and dates were stored: a place or date filter is then refused rather than ignored.

    >>> _filter_expr(Filters(places=("杭州市",), date_from="2023-07", date_to="2023-08"))
    '(array_contains_any(regions, ["杭州市"]) or array_contains_any(districts, ["杭州市"])) and date >= "2023-07" and date <= "2023-08~" and date != ""'
    """
    if not filters:
        return ""
    if not places and (filters.places or filters.date_from or filters.date_to):
        raise InputError("this Milvus collection was made without places and dates; recreate it (drop the "
                         "collection, it is refilled from the local index) or use the local index (RAG_BACKEND=local).")
    parts = []
    if filters.districts:
        parts.append(f"array_contains_any(districts, {list(filters.districts)!r})")
    if filters.places:
        parts.append(f"(array_contains_any(regions, {list(filters.places)!r}) or "
                     f"array_contains_any(districts, {list(filters.places)!r}))")
    if filters.sources:
        parts.append(f"source in {list(filters.sources)!r}")
    if filters.date_from:  # ISO dates compare as strings; "" (no date) is below any bound
        parts.append(f"date >= {filters.date_from!r}")
    if filters.date_to:  # inclusive of a month or year given short: "2023-08" admits "2023-08-31"
        parts.append(f"date <= {filters.date_to + '~'!r} and date != ''")
    return " and ".join(parts).replace("'", '"')


def _chunk(entity: dict[str, Any]) -> Chunk:
    return Chunk(id=entity["id"], article_id=entity["article_id"], n=int(entity["n"]), text=entity["chunk_text"],
                 start=int(entity["start"]), end=int(entity["end"]), title=entity["title"],
                 heading=entity["heading"], source=entity["source"], districts=tuple(entity.get("districts") or ()),
                 regions=tuple(entity.get("regions") or ()), date=entity.get("date") or "")


class MilvusCollection:
    """The chunk collection on one Milvus (Lite file or cluster URI)."""

    def __init__(self, uri: str, collection: str, dim: int, token: str | None = None,
                 tokenizer: Tokenizer | None = None) -> None:
        from pymilvus import MilvusClient

        self.client = MilvusClient(uri, token=token or "")
        self.name = collection
        self.dim = dim
        self.tokenizer = tokenizer
        self.full_text = True
        self.places = True  # regions and date stored (collections made before them have neither)

    @property
    def output_fields(self) -> list[str]:
        return [*FIELDS[1:], *(("regions", "date") if self.places else ())]

    # -- schema ---------------------------------------------------------------------------------------------
    def create(self, drop: bool = False, full_text: bool = True) -> None:
        """Create the collection if needed (``drop`` replaces it). Falls back to dense-only without BM25 support."""
        if drop and self.client.has_collection(self.name):
            self.client.drop_collection(self.name)
        if self.client.has_collection(self.name):
            fields = {f["name"] for f in self.client.describe_collection(self.name)["fields"]}
            self.full_text, self.places = "sparse" in fields, "regions" in fields
            return
        try:
            self._create(full_text)
            self.full_text = full_text
        except Exception as exc:  # the server has no BM25 function or no jieba analyzer
            if not full_text:
                raise
            log.warning("Milvus full-text search unavailable (%s): keyword side falls back to bm25s", exc)
            if self.client.has_collection(self.name):
                self.client.drop_collection(self.name)
            self._create(False)
            self.full_text = False

    def _create(self, full_text: bool) -> None:
        from pymilvus import DataType, Function, FunctionType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("article_id", DataType.VARCHAR, max_length=64)
        schema.add_field("n", DataType.INT64)
        schema.add_field("chunk_text", DataType.VARCHAR, max_length=MAX_TEXT)
        schema.add_field("start", DataType.INT64)
        schema.add_field("end", DataType.INT64)
        schema.add_field("title", DataType.VARCHAR, max_length=1024)
        schema.add_field("heading", DataType.VARCHAR, max_length=2048)
        schema.add_field("source", DataType.VARCHAR, max_length=512)
        schema.add_field("districts", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_DISTRICTS,
                         max_length=32)
        schema.add_field("regions", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_REGIONS,
                         max_length=64)
        schema.add_field("date", DataType.VARCHAR, max_length=16)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dim)
        index = self.client.prepare_index_params()
        index.add_index("dense", index_type="AUTOINDEX", metric_type="IP")
        if full_text:
            schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT, enable_analyzer=True,
                             analyzer_params=analyzer_params(self.tokenizer))
            schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
            schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                         output_field_names=["sparse"]))
            index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        self.client.create_collection(self.name, schema=schema, index_params=index)

    # -- writes ---------------------------------------------------------------------------------------------
    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray, batch: int = 1000) -> int:
        vectors = np.asarray(vectors, np.float32)
        for lo in range(0, len(chunks), batch):
            rows = []
            for chunk, vector in zip(chunks[lo : lo + batch], vectors[lo : lo + batch], strict=True):
                row = {"id": chunk.id, "article_id": chunk.article_id, "n": chunk.n, "chunk_text": chunk.text,
                       "start": chunk.start, "end": chunk.end, "title": chunk.title, "heading": chunk.heading,
                       "source": chunk.source, "districts": list(chunk.districts)[:MAX_DISTRICTS],
                       "dense": vector.tolist()}
                if self.places:
                    row |= {"regions": list(chunk.regions)[:MAX_REGIONS], "date": chunk.date[:16]}
                if self.full_text:
                    row["text"] = search_form(chunk.indexed_text)[:MAX_TEXT]
                rows.append(row)
            self.client.upsert(self.name, rows)
        return len(chunks)

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        ids = list(article_ids)
        if ids:
            self.client.delete(self.name, filter=f"article_id in {ids!r}".replace("'", '"'))

    def count(self) -> int:
        stats = self.client.get_collection_stats(self.name)
        return int(stats.get("row_count", 0))

    # -- reads ----------------------------------------------------------------------------------------------
    def _hits(self, results: list, name: str, negate: bool = False) -> list[Hit]:
        out = []
        for row in results[0] if results else []:
            entity = row.get("entity") or row
            score = float(row.get("distance", 0.0))
            # Milvus returns the BM25 score as the distance; Milvus Lite 3 returns its negation
            out.append(Hit(_chunk({**entity, "id": row.get("id", entity.get("id"))}), -score if negate else score,
                           name))
        return out

    def search_dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[Hit]:
        results = self.client.search(self.name, data=[np.asarray(vector, np.float32).tolist()], anns_field="dense",
                                     limit=k, filter=_filter_expr(filters, self.places), output_fields=self.output_fields,
                                     search_params={"metric_type": "IP"})
        return self._hits(results, "dense")

    def search_text(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        results = self.client.search(self.name, data=[search_form(query)], anns_field="sparse", limit=k,
                                     filter=_filter_expr(filters, self.places), output_fields=self.output_fields,
                                     search_params={"metric_type": "BM25"})
        hits = self._hits(results, "bm25")
        if hits and all(h.score <= 0 for h in hits):
            hits = [Hit(h.chunk, -h.score, h.retriever) for h in hits]
        return hits

    def search_hybrid(self, query: str, vector: np.ndarray, k: int, candidates: int, rrf_k: int,
                      filters: Filters | None = None) -> list[Hit]:
        from pymilvus import AnnSearchRequest, RRFRanker

        expr = _filter_expr(filters, self.places)
        requests = [
            AnnSearchRequest(data=[search_form(query)], anns_field="sparse", param={"metric_type": "BM25"},
                             limit=candidates, expr=expr or None),
            AnnSearchRequest(data=[np.asarray(vector, np.float32).tolist()], anns_field="dense",
                             param={"metric_type": "IP"}, limit=candidates, expr=expr or None),
        ]
        results = self.client.hybrid_search(self.name, requests, RRFRanker(rrf_k), limit=k,
                                            output_fields=self.output_fields)
        return self._hits(results, "hybrid")


class MilvusRetriever:
    """``search(query, k, filters) -> list[Hit]`` over a :class:`MilvusCollection`.

    ``keyword`` is our bm25s retriever, used for the keyword side only when the collection has no full-text
    search (then hybrid is our RRF over Milvus dense + bm25s).
    """

    def __init__(self, collection: MilvusCollection, name: str, encode: QueryCache, *, rrf_k: int = 60,
                 candidates: int = 50, keyword: BM25Retriever | None = None) -> None:
        if name not in ("hybrid", "bm25", "dense"):
            raise ValueError(f"unknown retriever {name!r}; use one of: hybrid, bm25, dense")
        self.collection = collection
        self.name = name
        self.encode = encode
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.keyword = keyword

    def _fallback(self) -> Retriever | None:
        if self.collection.full_text or self.name == "dense":
            return None
        if self.keyword is None:
            raise RuntimeError("this Milvus has no full-text search; pass the local bm25s retriever as keyword=")
        if self.name == "bm25":
            return self.keyword
        dense = MilvusRetriever(self.collection, "dense", self.encode)
        return HybridRetriever(self.keyword, dense, "rrf", self.rrf_k, (0.5, 0.5), self.candidates)

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        fallback = self._fallback()
        if fallback is not None:
            return [Hit(h.chunk, h.score, self.name) for h in fallback.search(query, k, filters)]
        if self.name == "dense":
            return self.collection.search_dense(self.encode(query), k, filters)
        if self.name == "bm25":
            return self.collection.search_text(query, k, filters)
        return self.collection.search_hybrid(query, self.encode(query), k, max(k, self.candidates), self.rrf_k,
                                             filters)
