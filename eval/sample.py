"""A seeded sample of an evaluation set, written as a set of its own (so its index is cached like any other).

At most ``limit`` questions of each split (dev, test; unanswerable ones drawn like the rest), and a corpus of
every document those questions are judged on (or cite as evidence) plus a seeded draw of the others, up to ``docs``
documents in all. A smaller corpus makes retrieval easier than on the whole set: compare a sample's figures with
the same sample's, not with full runs.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from .dataset import Dataset, load_beir
from .datasets.common import cached, save

SAMPLES = "samples"


def sample(dataset: Dataset, limit: int | None, docs: int | None, seed: int = 0) -> Dataset:
    rng = random.Random(seed)
    keep: set[str] = set()
    for split in ("dev", "test"):
        ids = sorted(q.id for q in dataset.queries_in(split))
        keep |= set(rng.sample(ids, min(limit, len(ids)))) if limit else set(ids)
    queries = {qid: q for qid, q in dataset.queries.items() if qid in keep}
    qrels = {s: {qid: d for qid, d in q.items() if qid in keep} for s, q in dataset.qrels.items()}
    needed = {doc for q in qrels.values() for d in q.values() for doc in d}
    needed |= {e.doc_id for q in queries.values() for e in q.evidence if e.doc_id}
    others = sorted(set(dataset.corpus) - needed)
    room = max(0, docs - len(needed)) if docs else len(others)
    chosen = needed | set(rng.sample(others, min(room, len(others))))
    corpus = {i: d for i, d in dataset.corpus.items() if i in chosen}
    return Dataset(dataset.name, corpus, queries, {s: q for s, q in qrels.items() if q})


def sample_dir(set_dir: Path, limit: int | None, docs: int | None, seed: int = 0) -> Path:
    """The sample of the set in ``set_dir`` as a set directory below it (built once, reused while unchanged)."""
    out = set_dir / SAMPLES / f"q{limit or 'all'}-d{docs or 'all'}-s{seed}"
    source = hashlib.sha1((set_dir / "build.json").read_bytes()).hexdigest() if (set_dir / "build.json").exists() \
        else hashlib.sha1((set_dir / "corpus.jsonl").read_bytes()).hexdigest()
    wanted = {"source": source, "limit": limit, "docs": docs, "seed": seed}
    if not cached(out, wanted):
        dataset = sample(load_beir(set_dir), limit, docs, seed)
        save(dataset, out, wanted, {"documents": len(dataset.corpus), "questions": len(dataset.queries)})
    return out
