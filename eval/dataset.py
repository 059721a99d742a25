"""An evaluation dataset in BEIR layout, plus the extra fields answer-level checks need (I/O edge).

Layout of a dataset directory::

    corpus.jsonl      {"_id", "title", "text", "metadata": {...}}            one document (article) a line
    queries.jsonl     {"_id", "text", "metadata": {type, split, answer, items, evidence, history, standalone}}
    qrels/<split>.tsv query-id <TAB> corpus-id <TAB> score, with a header line

Any BEIR dataset loads (metadata is optional). Relevance is judged per document; ``evidence`` strings
(``{"doc_id", "text"}``) let chunk- and answer-level checks survive re-chunking. A query whose metadata has an
``answer`` key gets answer-level checks; an empty ``answer`` with no ``items`` means "should be refused".
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

Qrels = dict[str, dict[str, int]]  # qid -> doc id -> relevance (ranx's shape)


class DatasetError(Exception):
    """The dataset is missing, malformed or inconsistent; the message says what to fix."""


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str
    metadata: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Evidence:
    """A short exact string from document ``doc_id`` ("" = any document) that a good answer rests on."""

    text: str
    doc_id: str = ""
    source: str = ""
    line: int = 0


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    type: str = ""
    split: str = ""
    answer: str | None = None  # None: no answer given, so no answer-level checks
    items: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()  # further gold answers; an answer containing any gold answer is right
    evidence: tuple[Evidence, ...] = ()
    history: tuple[dict[str, str], ...] = ()
    standalone: str = ""

    @property
    def has_gold(self) -> bool:
        """Whether answer-level checks apply to this query."""
        return self.answer is not None or bool(self.items)

    @property
    def expects_refusal(self) -> bool:
        """Gold says: refuse (an ``answer`` field that is empty, and no list items)."""
        return self.answer == "" and not self.items


@dataclass(frozen=True)
class Dataset:
    name: str
    corpus: dict[str, Document]
    queries: dict[str, Query]
    qrels: dict[str, Qrels]  # split name -> qrels

    @property
    def splits(self) -> list[str]:
        names = set(self.qrels) | {q.split for q in self.queries.values() if q.split}
        return sorted(names)

    def queries_in(self, split: str) -> list[Query]:
        """Queries of ``split`` ("all" = every query): by their ``split`` field, else by the split's qrels."""
        if split == "all":
            return list(self.queries.values())
        judged = self.qrels.get(split, {})
        return [q for q in self.queries.values() if q.split == split or (not q.split and q.id in judged)]

    def qrels_for(self, split: str) -> Qrels:
        """Judgements of ``split``'s queries ("all" merges every qrels file)."""
        merged: Qrels = {}
        for qrels in self.qrels.values():
            for qid, docs in qrels.items():
                merged.setdefault(qid, {}).update(docs)
        wanted = {q.id for q in self.queries_in(split)}
        return {qid: docs for qid, docs in merged.items() if qid in wanted}


# -- reading ---------------------------------------------------------------------------------------------------
def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        raise DatasetError(f"{path} is missing; a BEIR dataset has corpus.jsonl, queries.jsonl and qrels/<split>.tsv")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise DatasetError(f"{path}:{n}: not JSON ({exc.msg})") from None
    return rows


def _query(row: Mapping) -> Query:
    meta = dict(row.get("metadata") or {})
    evidence = tuple(
        Evidence(str(e["text"]), str(e.get("doc_id", "")), str(e.get("source", "")), int(e.get("line", 0)))
        for e in meta.get("evidence") or ()
    )
    answer = meta.get("answer")
    return Query(
        id=str(row["_id"]),
        text=str(row["text"]),
        type=str(meta.get("type", "")),
        split=str(meta.get("split", "")),
        answer=None if answer is None else str(answer),
        items=tuple(str(i) for i in meta.get("items") or ()),
        alternatives=tuple(str(a) for a in meta.get("answers") or () if str(a) != answer),
        evidence=evidence,
        history=tuple(dict(turn) for turn in meta.get("history") or ()),
        standalone=str(meta.get("standalone", "")),
    )


def read_qrels(path: Path) -> Qrels:
    qrels: Qrels = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.reader(fh, delimiter="\t"), 1):
            if not row or (n == 1 and row[0] == "query-id"):
                continue
            if len(row) != 3:
                raise DatasetError(f"{path}:{n}: expected query-id, corpus-id, score separated by tabs")
            qrels.setdefault(row[0], {})[row[1]] = int(float(row[2]))
    return qrels


def load_beir(path: str | Path) -> Dataset:
    """Read a BEIR dataset directory (``corpus.jsonl``, ``queries.jsonl``, ``qrels/*.tsv``)."""
    root = Path(path)
    if not root.is_dir():
        raise DatasetError(f"{root} is not a directory; pass a BEIR dataset directory")
    corpus = {}
    for row in _read_jsonl(root / "corpus.jsonl"):
        doc = Document(str(row["_id"]), str(row.get("title", "")), str(row.get("text", "")),
                       dict(row.get("metadata") or {}))
        corpus[doc.id] = doc
    queries = {q.id: q for q in map(_query, _read_jsonl(root / "queries.jsonl"))}
    qrels_dir = root / "qrels"
    files = sorted(qrels_dir.glob("*.tsv")) if qrels_dir.is_dir() else []
    if not files:
        raise DatasetError(f"{qrels_dir} has no <split>.tsv files")
    return Dataset(root.name, corpus, queries, {f.stem: read_qrels(f) for f in files})


# -- writing ---------------------------------------------------------------------------------------------------
def _jsonl(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def query_row(q: Query) -> dict:
    meta: dict[str, object] = {"type": q.type, "split": q.split}
    if q.answer is not None:
        meta["answer"] = q.answer
    meta["items"] = list(q.items)
    if q.alternatives:
        meta["answers"] = [q.answer or "", *q.alternatives]
    meta["evidence"] = [{"doc_id": e.doc_id, "text": e.text, "source": e.source, "line": e.line} for e in q.evidence]
    meta["history"] = list(q.history)
    meta["standalone"] = q.standalone
    return {"_id": q.id, "text": q.text, "metadata": meta}


def write_beir(dataset: Dataset, path: str | Path) -> None:
    """Write ``dataset`` in BEIR layout; the output depends only on the dataset (stable order, no timestamps)."""
    root = Path(path)
    (root / "qrels").mkdir(parents=True, exist_ok=True)
    docs = ({"_id": d.id, "title": d.title, "text": d.text, "metadata": d.metadata} for d in dataset.corpus.values())
    (root / "corpus.jsonl").write_text(_jsonl(docs), encoding="utf-8")
    (root / "queries.jsonl").write_text(_jsonl(map(query_row, dataset.queries.values())), encoding="utf-8")
    for split, qrels in dataset.qrels.items():
        lines = ["query-id\tcorpus-id\tscore"]
        lines += [f"{qid}\t{doc}\t{rel}" for qid, docs in qrels.items() for doc, rel in docs.items()]
        (root / "qrels" / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
