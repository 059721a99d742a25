"""One cached index per evaluation set, built through the product's own ingest (I/O edge).

A set's documents are written as a JSON Lines export (``title``, ``content``, ``date``, ``url`` — the url carries
the BEIR id as ``eval:<id>``) and ingested with :meth:`rag.Library.ingest_paths`, so readers, parsing, titles,
dates, places, chunking and embedding are the product's. Article ids are then the product's content hashes: the
set is re-keyed to them (qrels, evidence, corpus) through the urls. When the readers cannot take the file, the
corpus is indexed directly as articles (:mod:`eval.corpus`) and ids stay as they are; ``how`` says which.

The index lives in ``<set dir>/index/<key>``, the key a hash of the corpus file, the model and the chunking, and is
reused while ``ready.json`` there says it is complete.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from pathlib import Path

from rag import Library, Settings

from .corpus import ingest_documents
from .dataset import Dataset, Evidence

log = logging.getLogger(__name__)

URL_PREFIX = "eval:"
READY = "ready.json"


def index_key(set_dir: Path, settings: Settings) -> str:
    """``<model slug>-<12 hex>`` from the corpus bytes, the model and the chunking parameters."""
    h = hashlib.sha1()
    with open(set_dir / "corpus.jsonl", "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    h.update(f"|{settings.model}|{settings.chunk_size}|{settings.chunk_overlap}|{settings.sentence_vectors}".encode())
    slug = settings.model.rsplit("/", 1)[-1].replace(".", "-")
    return f"{slug}-{h.hexdigest()[:12]}"


def write_export(dataset: Dataset, path: Path) -> Path:
    """The corpus as a JSON Lines export the product's readers take (one row per document)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for d in dataset.corpus.values():
            row = {"title": d.title, "content": d.text, "date": str(d.metadata.get("date", "")),
                   "url": f"{URL_PREFIX}{d.id}"}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _ids_from_export(path: Path) -> dict[str, str]:
    """BEIR id → product article id, by reading the export as ingest reads it."""
    from rag.ingest.readers import read_documents

    return {a.url[len(URL_PREFIX):]: a.id for doc in read_documents(path) for a in doc.articles
            if a.url.startswith(URL_PREFIX)}


def rekey(dataset: Dataset, ids: dict[str, str]) -> Dataset:
    """``dataset`` with document ids replaced by ``ids`` (documents without one are dropped; qrels to them too)."""
    corpus = {}
    for d in dataset.corpus.values():
        if d.id in ids:
            corpus.setdefault(ids[d.id], replace(d, id=ids[d.id]))
    qrels = {split: {qid: {ids[doc]: rel for doc, rel in docs.items() if doc in ids} for qid, docs in q.items()}
             for split, q in dataset.qrels.items()}
    qrels = {split: {qid: docs for qid, docs in q.items() if docs} for split, q in qrels.items()}
    queries = {qid: replace(q, evidence=tuple(Evidence(e.text, ids.get(e.doc_id, ""), e.source, e.line)
                                              for e in q.evidence))
               for qid, q in dataset.queries.items()}
    return Dataset(dataset.name, corpus, queries, qrels)


def open_set_index(dataset: Dataset, set_dir: Path, settings: Settings, via_readers: bool = True,
                   index_root: Path | None = None) -> tuple[Library, Dataset, dict]:
    """(library over the set's cached index, the set keyed by the index's article ids, how it was indexed).

    ``index_root`` (default ``set_dir / "index"``) may be shared by samples of one set: equal corpora share a key.
    """
    key = index_key(set_dir, settings)
    index_dir = (index_root or set_dir / "index") / key
    settings = settings.model_copy(update={"index_dir": index_dir})
    ready = index_dir / READY
    if ready.exists():
        info = json.loads(ready.read_text(encoding="utf-8"))
        lib = Library.open(settings)
        ids = info.pop("ids")
        return lib, rekey(dataset, ids) if ids else dataset, info
    lib = Library.open(settings)
    how, ids = "articles", {}
    if via_readers:
        export = write_export(dataset, set_dir / "export" / f"{dataset.name}.jsonl")
        try:
            results = lib.ingest_paths([export])
            errors = [r.error for r in results if r.error]
            if errors:
                raise ValueError("; ".join(errors))
            ids = _ids_from_export(export)
            how = "readers (JSON Lines export, Library.ingest_paths)"
        except (ImportError, ValueError) as exc:
            log.warning("%s: the readers could not ingest the export (%s); indexing the corpus as articles",
                        dataset.name, exc)
    if not ids:
        ingest_documents(lib, dataset)
    lost = len(dataset.corpus) - len(ids) if ids else 0
    info = {"how": how, "key": key, "documents": len(dataset.corpus), "articles": len(lib.index.articles),
            "chunks": len(lib.index.chunks), "documents_not_ingested": lost}
    ready.write_text(json.dumps({**info, "ids": ids}, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("%s: indexed %s", dataset.name, info)
    return lib, rekey(dataset, ids) if ids else dataset, info
