"""CRUD-RAG news questions (``questions_2docs.json``) over its news archive → a BEIR set with gold answers.

The archive (``docs.tar.xz``: text files, one news document per non-empty line, ``<date>，正文：<body>``) is
streamed twice and never held in memory: the first pass finds which ``key_info`` strings each document contains
(and a content hash for each), the second keeps the text of the documents the set needs. An event is used when
every one of its ``key_info`` strings occurs in the archive; its gold documents are a greedy cover of its key
strings (a document earns the characters of the key strings it adds), see :func:`gold_cover`; republished
copies of a gold document are relevant too. A question is judged relevant to the gold documents that contain its
answer; a question whose gold answer occurs in none of them (a paraphrase) is left out and counted, since neither
its retrieval nor its answer could be judged; ``无法推断`` ("cannot be inferred") becomes a should-refuse
question. Distractors are a seeded sample of the other
documents, leaving out any that holds two or more key strings of a used event (likely unjudged relevant ones).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tarfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ..dataset import Dataset, DatasetError, Document, Evidence, Qrels, Query
from .common import answer_type, split_of

log = logging.getLogger(__name__)

UNANSWERABLE = "无法推断"
MAX_GOLD = 2  # an event's facts come from two news documents
MIN_SHARE = 0.2  # a gold document adds at least this share of the event's key-string characters
MIN_COPY_KEYS = 3  # a republished copy must repeat at least this many of a gold document's key strings
_HEAD = re.compile(r"^\s*\[?\s*(\d{4})-(\d{1,2})-(\d{1,2})[^，,\]]*\]?\s*[，,]\s*正文[：:]\s*")


@dataclass(frozen=True)
class Event:
    id: str
    keys: tuple[str, ...]
    questions: tuple[str, ...]
    answers: tuple[str, ...]


def read_events(path: Path) -> list[Event]:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read the CRUD questions ({exc})") from None
    if not isinstance(raw, dict):
        raise DatasetError(f"{path}: expected {{event id: {{key_info, question, answers}}}}")
    events = []
    for eid, e in raw.items():
        qs, ans = tuple(e.get("question") or ()), tuple(e.get("answers") or ())
        if len(qs) != len(ans):
            log.info("event %s: %d questions but %d answers; skipped", eid, len(qs), len(ans))
            continue
        events.append(Event(str(eid), tuple(dict.fromkeys(e.get("key_info") or ())), qs, ans))
    return events


def split_doc(line: str) -> tuple[str, str]:
    """(ISO date or "", body) of one archive line.

    >>> split_doc("[ 2023-07-28 16：40 ] ，正文：人民网柏林7月28日电")
    ('2023-07-28', '人民网柏林7月28日电')
    >>> split_doc("2023-08-16 17:26，正文：原标题：某事")
    ('2023-08-16', '原标题：某事')
    """
    m = _HEAD.match(line)
    if not m:
        return "", line.strip()
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}", line[m.end():].strip()


def iter_lines(archive: Path) -> Iterator[str]:
    """The archive's documents in archive order, one non-empty stripped line each, streamed."""
    try:
        with tarfile.open(archive, mode="r|*") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                fh = tar.extractfile(member)
                if fh is None:
                    continue
                # one member (a few MB) at a time: a stream-mode member cannot be wrapped for line reading
                for line in fh.read().decode("utf-8", errors="replace").splitlines():
                    if line.strip():
                        yield line.strip()
    except (OSError, tarfile.TarError) as exc:
        raise DatasetError(f"{archive}: cannot read the document archive ({exc})") from None


class KeyMatcher:
    """Every key string a text contains, by a two-character index (one-character keys by set intersection).

    >>> sorted(KeyMatcher(["美团", "消费券", "券"]).find("美团发放消费券"))
    ['券', '消费券', '美团']
    """

    def __init__(self, keys: list[str]) -> None:
        self.singles = {k for k in keys if len(k) == 1}
        self.buckets: dict[str, list[str]] = {}
        for k in keys:
            if len(k) > 1:
                self.buckets.setdefault(k[:2], []).append(k)

    def find(self, text: str) -> set[str]:
        found = self.singles & set(text)
        buckets = self.buckets
        for i in range(len(text) - 1):
            bucket = buckets.get(text[i:i + 2])
            if bucket:
                found.update(k for k in bucket if text.startswith(k, i))
        return found


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _rank(seed: int, digest: str) -> str:
    return hashlib.sha1(f"{seed}:{digest}".encode()).hexdigest()


def gold_cover(event: Event, hits: dict[int, set[str]]) -> tuple[list[int], list[int]]:
    """(gold documents, republished copies of them) of ``event`` from ``hits`` (doc index → its keys of the event).

    Gold: greedily the document adding the most key-string characters, while it adds at least
    :data:`MIN_SHARE` of them, at most :data:`MAX_GOLD`. Key strings left over are short common words that any
    document may hold (``美团``, ``城市形象``); a document chosen for them would be a guess. A copy holds every key
    string (at least :data:`MIN_COPY_KEYS`) that a gold document holds.
    """
    need = set(event.keys)
    weight = {k: len(k) for k in need}
    total = sum(weight.values())
    gold: list[int] = []
    while need and len(gold) < MAX_GOLD and hits:
        best = max(hits, key=lambda i: (sum(weight[k] for k in hits[i] & need), -i))
        if sum(weight[k] for k in hits[best] & need) < MIN_SHARE * total:
            break
        gold.append(best)
        need -= hits[best]
    copies = [i for i in hits if i not in gold
              and any(len(hits[g]) >= MIN_COPY_KEYS and hits[g] <= hits[i] for g in gold)]
    return gold, copies


@dataclass
class _Scan:
    """What the first pass learns: per event, doc index → its key strings; per doc, a content hash."""

    hits: list[dict[int, set[str]]]
    digests: list[str]
    first_of: dict[str, int]  # content hash → first doc index with it


def _scan(archive: Path, events: list[Event], progress: bool) -> _Scan:
    matcher = KeyMatcher(sorted({k for e in events for k in e.keys}))
    key_events: dict[str, list[int]] = {}
    for n, e in enumerate(events):
        for k in e.keys:
            key_events.setdefault(k, []).append(n)
    scan = _Scan([{} for _ in events], [], {})
    for i, line in enumerate(tqdm(iter_lines(archive), desc="crud: matching", unit="doc", disable=not progress)):
        digest = hashlib.sha1(split_doc(line)[1].encode()).hexdigest()
        scan.digests.append(digest)
        if digest in scan.first_of:  # an exact duplicate adds nothing
            continue
        scan.first_of[digest] = i
        for k in matcher.find(line):
            for n in key_events[k]:
                scan.hits[n].setdefault(i, set()).add(k)
    return scan


def crud_dataset(archive: str | Path, questions: str | Path, name: str = "crud", distractors: int = 2000,
                 seed: int = 0, progress: bool = True) -> tuple[Dataset, dict[str, int]]:
    """Build the CRUD set (see the module docstring); returns it with counts of what was used and left out."""
    archive, questions = Path(archive), Path(questions)
    events = read_events(questions)
    scan = _scan(archive, events, progress)
    used: list[tuple[Event, list[int], list[int]]] = []
    near: set[int] = set()
    for n, e in enumerate(events):
        held = set().union(*scan.hits[n].values()) if scan.hits[n] else set()
        if set(e.keys) <= held:
            gold, copies = gold_cover(e, scan.hits[n])
            if gold:
                used.append((e, gold, copies))
                near |= {i for i, ks in scan.hits[n].items() if len(ks) >= 2}
    if not used:
        raise DatasetError(f"no event of {questions} has all its key strings in {archive}")
    relevant = {i for _, gold, copies in used for i in (*gold, *copies)}
    pool = sorted((_rank(seed, d), i) for d, i in scan.first_of.items() if i not in near | relevant)
    chosen = {i for _, i in pool[:distractors]}
    keep = relevant | chosen
    texts: dict[int, tuple[str, str]] = {}  # pass 2: the text of the documents the set keeps
    for i, line in enumerate(tqdm(iter_lines(archive), desc="crud: reading", unit="doc", disable=not progress)):
        if i in keep:
            texts[i] = split_doc(line)
    doc_id = {i: f"{name}-{scan.digests[i][:16]}" for i in keep}
    corpus = {doc_id[i]: Document(doc_id[i], "", texts[i][1], {"source": f"{name}-{i}", "date": texts[i][0],
                                                                 "role": "gold" if i in relevant else "distractor"})
              for i in sorted(keep)}
    queries: dict[str, Query] = {}
    qrels: dict[str, Qrels] = {"dev": {}, "test": {}}
    counts = {"events": len(used), "gold_documents": len(relevant), "distractors": len(chosen),
              "answer_not_in_documents": 0}
    for e, gold, copies in used:
        split = split_of(e.id, seed)
        for n, (question, answer) in enumerate(zip(e.questions, e.answers, strict=True)):
            answer = "" if answer.strip() == UNANSWERABLE else answer.strip()
            holders = [i for i in (*gold, *copies) if answer and _norm(answer) in _norm(texts[i][1])]
            if answer and not holders:  # the gold text is a paraphrase: neither retrieval nor answers can be judged
                counts["answer_not_in_documents"] += 1
                continue
            qid = f"{name}-{e.id}-{n}"
            queries[qid] = Query(qid, question.strip(), type=answer_type(answer), split=split, answer=answer,
                                 evidence=tuple(Evidence(answer, doc_id[i]) for i in holders[:1]))
            if answer:
                qrels[split][qid] = {doc_id[i]: 1 for i in holders}
    counts["questions"] = len(queries)
    counts["unanswerable"] = sum(q.expects_refusal for q in queries.values())
    log.info("%s: %s", name, counts)
    return Dataset(name, corpus, queries, {k: v for k, v in qrels.items() if v}), counts
