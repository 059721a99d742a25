"""``python -m eval.build_data``: the hand-written question set + the parsed seeds → BEIR files under eval/data/beir/.

Deterministic: the same questions and the same parser give byte-identical files. Documents are the articles the
product's parser cuts out of the seed pages (``_id`` = article id, ``text`` = body); a question's ``relevant``
and ``evidence`` entries name a seed file and a line inside an article, which is mapped to that article's id.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from rag.ingest.pages import read_page
from rag.ingest.parse import parse_page
from rag.library import expand_paths
from rag.types import Article

from .dataset import Dataset, DatasetError, Document, Evidence, Query, write_beir

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
QUESTIONS = DATA_DIR / "questions.jsonl"
BEIR_DIR = DATA_DIR / "beir"
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def seed_articles(seeds_dir: Path = SEEDS_DIR) -> list[Article]:
    """The articles ingest would add for these pages, in page order (duplicates dropped, as ingest does)."""
    articles: dict[str, Article] = {}
    for path in expand_paths([seeds_dir]):
        page = read_page(path)
        for article in parse_page(page.text, page.source):
            articles.setdefault(article.id, article)
    return list(articles.values())


def article_at(articles: Sequence[Article], source: str, line: int) -> Article:
    """The article of page ``source`` whose lines include ``line`` (1-based)."""
    for article in articles:
        if article.source == source and article.line_start <= line <= article.line_end:
            return article
    raise DatasetError(f"{source}:{line} is inside no parsed article; fix the line number in {QUESTIONS.name}")


def _document(article: Article) -> Document:
    meta = {"source": article.source, "line_start": article.line_start, "line_end": article.line_end,
            "kind": article.kind, "subtitle": article.subtitle}
    return Document(article.id, article.title, article.body, meta)


def build(questions: Path = QUESTIONS, seeds_dir: Path = SEEDS_DIR) -> Dataset:
    articles = seed_articles(seeds_dir)
    queries: dict[str, Query] = {}
    qrels: dict[str, dict[str, dict[str, int]]] = {}
    with open(questions, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    for row in rows:
        try:
            relevant = [article_at(articles, r["source"], int(r["line"])).id for r in row.get("relevant", [])]
            evidence = tuple(
                Evidence(e["text"], article_at(articles, e["source"], int(e["line"])).id, e["source"], int(e["line"]))
                for e in row.get("evidence", [])
            )
        except DatasetError as exc:
            raise DatasetError(f"{row['qid']}: {exc}") from None
        split = row.get("split", "test")
        queries[row["qid"]] = Query(
            id=row["qid"], text=row["question"], type=row.get("type", ""), split=split,
            answer=row.get("answer", ""), items=tuple(row.get("items", [])), evidence=evidence,
            history=tuple(row.get("history", [])), standalone=row.get("standalone", ""),
        )
        if relevant:
            qrels.setdefault(split, {})[row["qid"]] = dict.fromkeys(relevant, 1)
    corpus = {a.id: _document(a) for a in articles}
    return Dataset("seeds", corpus, queries, {s: qrels[s] for s in sorted(qrels)})


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.build_data", description=__doc__.splitlines()[0])
    p.add_argument("--questions", type=Path, default=QUESTIONS)
    p.add_argument("--seeds", type=Path, default=SEEDS_DIR)
    p.add_argument("--out", type=Path, default=BEIR_DIR)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        dataset = build(args.questions, args.seeds)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_beir(dataset, args.out)
    judged = sum(len(q) for q in dataset.qrels.values())
    print(f"{args.out}: {len(dataset.corpus)} documents, {len(dataset.queries)} queries, {judged} judged "
          f"({', '.join(f'{s}: {len(q)}' for s, q in dataset.qrels.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
