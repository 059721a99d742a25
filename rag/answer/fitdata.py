"""Public question sets for fitting the sentence ranker and the refusal score (I/O edge, used by ``fit``).

Two shapes are read: SQuAD-format JSON (CMRC 2018 trial, DRCD dev: paragraphs with questions and answer spans) and
a BEIR directory with gold answers in the query metadata (``python -m eval.datasets build`` writes them to
``.cache/eval/<name>/``, CRUD among them). Either becomes a :class:`FitSet`: documents to index and questions with
every accepted answer string ("" answers mean the question must be refused).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class QA:
    id: str
    question: str
    answers: tuple[str, ...]  # () = should be refused
    doc_id: str = ""


@dataclass(frozen=True)
class FitSet:
    name: str
    documents: dict[str, tuple[str, str]]  # id -> (title, text)
    questions: tuple[QA, ...]


def squad(path: str | Path, name: str, max_documents: int | None = None) -> FitSet:
    """A SQuAD-format file: each paragraph a document titled by its article, each question with its answers.

    ``max_documents`` keeps the first paragraphs in file order (deterministic), with their questions.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    documents: dict[str, tuple[str, str]] = {}
    questions: list[QA] = []
    for article in data:
        for p in article["paragraphs"]:
            if max_documents is not None and len(documents) >= max_documents:
                break
            doc_id = f"{name}-{p['id']}"
            documents[doc_id] = (article.get("title", ""), p["context"])
            for qa in p["qas"]:
                answers = tuple(dict.fromkeys(a["text"].strip() for a in qa["answers"] if a["text"].strip()))
                if answers:
                    questions.append(QA(f"{name}-{qa['id']}", qa["question"].strip(), answers, doc_id))
    return FitSet(name, documents, tuple(questions))


def beir(path: str | Path, name: str | None = None, max_distractors: int | None = None) -> FitSet:
    """A BEIR directory whose queries carry ``metadata.answer`` (and optionally ``metadata.answers``).

    ``max_distractors`` keeps every document some question is judged relevant to (``qrels/*.tsv``) and only the
    first that many others, in file order.
    """
    root = Path(path)
    relevant = set()
    for qrels in sorted((root / "qrels").glob("*.tsv")):
        for line in qrels.read_text(encoding="utf-8").splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) >= 2:
                relevant.add(parts[1])
    documents, others = {}, 0
    for line in (root / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            doc_id = str(row["_id"])
            if max_distractors is not None and doc_id not in relevant:
                if others >= max_distractors:
                    continue
                others += 1
            documents[doc_id] = (row.get("title", ""), row.get("text", ""))
    questions = []
    for line in (root / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        meta = row.get("metadata") or {}
        if "answer" not in meta or meta.get("items"):
            continue
        answers = [meta.get("answer") or "", *(meta.get("answers") or [])]
        evidence = meta.get("evidence") or []
        doc = evidence[0].get("doc_id", "") if evidence and isinstance(evidence[0], dict) else ""
        questions.append(QA(str(row["_id"]), row["text"], tuple(dict.fromkeys(a for a in answers if a)), doc))
    return FitSet(name or root.name, documents, tuple(questions))
