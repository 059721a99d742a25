"""``python -m eval.validate``: check a dataset before trusting any number computed from it.

Fails (exit 1, one line per problem) when a qrel names an unknown query or document, when an evidence string is not
found in its document (compared after NFKC normalisation), or, given an index, when the index lacks a judged
document (the seeds or the parser changed since ``python -m eval.build_data`` last ran).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection
from pathlib import Path

from .dataset import Dataset, DatasetError, load_beir
from .text import contains, norm

REBUILD = "regenerate the data with `python -m eval.build_data`"


def dataset_problems(dataset: Dataset) -> list[str]:
    """Everything inconsistent inside ``dataset`` (an empty list when it is sound)."""
    problems: list[str] = []
    for split, qrels in dataset.qrels.items():
        for qid, docs in qrels.items():
            if qid not in dataset.queries:
                problems.append(f"qrels/{split}.tsv: query {qid} is not in queries.jsonl")
            problems += [f"qrels/{split}.tsv: query {qid} names unknown article {doc!r}"
                         for doc in docs if doc not in dataset.corpus]
    judged = {qid: docs for qrels in dataset.qrels.values() for qid, docs in qrels.items()}
    for query in dataset.queries.values():
        for ev in query.evidence:
            where = [ev.doc_id] if ev.doc_id else list(judged.get(query.id, dataset.corpus))
            if ev.doc_id and ev.doc_id not in dataset.corpus:
                problems.append(f"query {query.id}: evidence names unknown article {ev.doc_id!r}")
                continue
            texts = [f"{dataset.corpus[d].title}\n{dataset.corpus[d].text}" for d in where if d in dataset.corpus]
            if not any(contains(text, ev.text) for text in texts):
                target = f"article {ev.doc_id} ({dataset.corpus[ev.doc_id].title})" if ev.doc_id else "its articles"
                problems.append(f"query {query.id}: evidence {norm(ev.text)!r} is not in {target}")
    return problems


def index_problems(dataset: Dataset, article_ids: Collection[str]) -> list[str]:
    """Judged or evidence documents that the index to be evaluated does not hold."""
    wanted = {doc for qrels in dataset.qrels.values() for docs in qrels.values() for doc in docs}
    wanted |= {ev.doc_id for q in dataset.queries.values() for ev in q.evidence if ev.doc_id}
    missing = sorted(wanted - set(article_ids))
    if not missing:
        return []
    shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
    return [f"the index has no article {shown} ({len(missing)} judged articles missing): the seeds or the "
            f"parser changed since the data was built; {REBUILD}"]


def validate(dataset: Dataset, article_ids: Collection[str] | None = None) -> None:
    """Raise :class:`DatasetError` listing every problem; return quietly when the dataset is sound."""
    problems = dataset_problems(dataset)
    if article_ids is not None:
        problems += index_problems(dataset, article_ids)
    if problems:
        head = f"dataset {dataset.name!r} failed validation ({len(problems)} problems):"
        raise DatasetError("\n  ".join([head, *problems]))


def main(argv: list[str] | None = None) -> int:
    from .build_data import BEIR_DIR

    p = argparse.ArgumentParser(prog="python -m eval.validate", description=__doc__.splitlines()[0])
    p.add_argument("--dataset", type=Path, default=BEIR_DIR, help="BEIR dataset directory (default: the seeds')")
    args = p.parse_args(argv)
    try:
        dataset = load_beir(args.dataset)
        validate(dataset)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    n_ev = sum(len(q.evidence) for q in dataset.queries.values())
    print(f"{args.dataset}: ok ({len(dataset.corpus)} documents, {len(dataset.queries)} queries, {n_ev} evidence "
          f"strings, splits: {', '.join(dataset.splits)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
