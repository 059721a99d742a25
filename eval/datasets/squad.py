"""SQuAD-format reading comprehension (CMRC 2018, DRCD, any file of that shape) → a BEIR set with gold answers.

One document per paragraph, titled with the SQuAD ``title`` (plus ``（n）`` when a title has several paragraphs);
each question is judged relevant to its paragraph only, and every distinct gold answer text is kept (an answer
counts as right when it contains any of them). Questions without answers (SQuAD 2.0 ``is_impossible``) become
should-refuse questions. Whole titles go to the dev or the test split.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from ..dataset import Dataset, DatasetError, Document, Evidence, Qrels, Query
from .common import answer_type, split_of

log = logging.getLogger(__name__)


def _load(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read a SQuAD JSON file ({exc})") from None
    articles = data.get("data") if isinstance(data, dict) else None
    if not isinstance(articles, list) or not all(isinstance(a, dict) and "paragraphs" in a for a in articles):
        raise DatasetError(f"{path}: not SQuAD format (expected {{\"data\": [{{\"title\", \"paragraphs\": [...]}}]}})")
    return articles


def _answers(qa: dict) -> list[str]:
    """Distinct non-empty gold answer texts, in file order."""
    texts = (str(a.get("text", "")).strip() for a in qa.get("answers") or ())
    return list(dict.fromkeys(t for t in texts if t))


def squad_dataset(path: str | Path, name: str, seed: int = 0) -> Dataset:
    """Read SQuAD file ``path`` into a set called ``name``.

    Document ids are ``{name}-{paragraph id}`` when the file gives paragraph ids, else a hash of the context.
    """
    path = Path(path)
    corpus: dict[str, Document] = {}
    queries: dict[str, Query] = {}
    qrels: dict[str, Qrels] = {"dev": {}, "test": {}}
    skipped = 0
    for n_article, article in enumerate(_load(path)):
        title = str(article.get("title") or f"{name} {n_article + 1}").strip()
        paragraphs = [p for p in article["paragraphs"] if str(p.get("context", "")).strip()]
        split = split_of(title, seed)
        for n, para in enumerate(paragraphs):
            context = str(para["context"]).strip()
            pid = str(para.get("id") or hashlib.sha1(context.encode()).hexdigest()[:16])
            doc_id = f"{name}-{pid}"
            if doc_id in corpus:  # repeated paragraph ids: keep them apart
                doc_id = f"{doc_id}-{hashlib.sha1(context.encode()).hexdigest()[:8]}"
            doc_title = f"{title}（{n + 1}）" if len(paragraphs) > 1 else title
            corpus[doc_id] = Document(doc_id, doc_title, context, {"source": path.name, "title": title})
            for qa in para.get("qas") or ():
                question = str(qa.get("question", "")).strip()
                golds = _answers(qa)
                impossible = bool(qa.get("is_impossible"))
                if not question or (not golds and not impossible):
                    skipped += 1
                    continue
                qid = f"{name}-{qa.get('id') or hashlib.sha1(question.encode()).hexdigest()[:12]}"
                answer = "" if impossible else golds[0]
                queries[qid] = Query(qid, question, type=answer_type(answer), split=split, answer=answer,
                                     alternatives=tuple(golds[1:]) if not impossible else (),
                                     evidence=tuple(Evidence(g, doc_id) for g in golds[:1]))
                if not impossible:
                    qrels[split][qid] = {doc_id: 1}
    if not queries:
        raise DatasetError(f"{path}: no question with an answer found")
    if skipped:
        log.warning("%s: skipped %d questions without text or answers", path, skipped)
    return Dataset(name, corpus, queries, {k: v for k, v in qrels.items() if v})
