"""How the page parser does on real text it was not written for, with the numbers the acceptance asks for.

    .venv/bin/python scripts/parse_corpora.py [--data ../shared/data] [--crud 500] [--seed 0]

* seeds/ as written and converted to Traditional (OpenCC s2t and s2tw): items and titles;
* CRUD-RAG news documents (a seeded random sample, one document per non-empty line) each parsed as a plain text:
  one article each, and its title + body equal to the document minus the furniture the report says it dropped;
* CMRC 2018 trial and DRCD dev paragraphs as ``# title\\n\\ncontext`` pages: one article titled by the ``#`` line
  whose body is the context.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
import tarfile
import time
import unicodedata
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure the working tree this script sits in, whatever the venv points at

from rag.errors import PageError  # noqa: E402
from rag.ingest.parse import PageParse, parse_report  # noqa: E402
from rag.ingest.textnorm import clean_line  # noqa: E402


def squash(text: str) -> str:
    """Compare form: NFKC, no whitespace (cleaning changes punctuation width and spacing, never words)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def accounts_for(source: str, report: PageParse) -> bool:
    """Is the one article's title + body the source minus the dropped pieces (nothing else lost or added)?"""
    (article,) = report.articles
    rest, cursor = squash(source), 0
    for _, piece in report.dropped:  # in page order: each piece is looked for after the previous one
        at = rest.find(squash(piece), cursor)
        if at < 0:
            return False
        rest, cursor = rest[:at] + rest[at + len(squash(piece)) :], at
    body = squash(article.body)
    return rest == body or rest == squash(article.title) + body


def crud_documents(data: Path, n: int, seed: int) -> list[str]:
    docs: list[str] = []
    with tarfile.open(data / "crud" / "docs.tar.xz") as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            if member.isfile():
                text = io.TextIOWrapper(tar.extractfile(member), encoding="utf-8").read()  # type: ignore[arg-type]
                docs.extend(line for line in text.split("\n") if line.strip())
    return random.Random(seed).sample(docs, n)


def squad_pages(path: Path) -> list[tuple[str, str, str]]:
    """(page text, title, context) per paragraph of a SQuAD-format file."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    return [(f"# {a['title']}\n\n{p['context']}", a["title"], p["context"]) for a in data for p in a["paragraphs"]]


def plain_docs(docs: list[str]) -> dict[str, float]:
    found = exact = dated = published = 0
    kept = 0.0
    for n, doc in enumerate(docs):
        try:
            report = parse_report(doc, f"doc{n}.txt")
        except PageError:
            continue
        found += len(report.articles) == 1
        if len(report.articles) == 1:
            exact += accounts_for(doc, report)
            dated += bool(report.articles[0].date)
            published += bool(report.articles[0].publisher)
            kept += report.kept_share
    return {"docs": len(docs), "one_article": found, "body_is_source_minus_dropped": exact,
            "with_date": dated, "with_publisher": published, "mean_kept_share": round(kept / max(found, 1), 4)}


def squad(pages: list[tuple[str, str, str]]) -> dict[str, int]:
    found = titled = whole = 0
    for n, (page, title, context) in enumerate(pages):
        try:
            report = parse_report(page, f"p{n}.md")
        except PageError:
            continue
        if len(report.articles) == 1:
            found += 1
            titled += report.articles[0].title == clean_line(title)
            whole += squash(report.articles[0].body) == squash(context) and not report.dropped
    return {"pages": len(pages), "one_article": found, "titled_by_heading": titled, "body_is_context": whole}


def seeds_traditional() -> dict[str, int]:
    out: dict[str, int] = {}
    pages = sorted((ROOT / "seeds").glob("*.txt"))
    simple = {p.name: parse_report(p.read_text(encoding="utf-8"), p.name).articles for p in pages}
    out["seed_articles"] = sum(len(a) for a in simple.values())
    for config in ("s2t", "s2tw"):
        conv = opencc.OpenCC(config)
        count = same = 0
        for p in pages:
            arts = parse_report(conv.convert(p.read_text(encoding="utf-8")), p.name).articles
            count += len(arts)
            same += sum(a.title == conv.convert(b.title) and a.body == conv.convert(b.body)
                        for a, b in zip(arts, simple[p.name], strict=False))
        out[f"{config}_articles"], out[f"{config}_same_title_and_body"] = count, same
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--crud", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results: dict[str, object] = {"seeds": seeds_traditional()}
    if not args.data.exists():
        raise SystemExit(f"{args.data} is absent: only the seed figures were measured: {results}")
    t0 = time.perf_counter()
    results["crud"] = plain_docs(crud_documents(args.data, args.crud, args.seed))
    results["cmrc_trial"] = squad(squad_pages(args.data / "cmrc2018" / "cmrc2018_trial.json"))
    results["drcd_dev"] = squad(squad_pages(args.data / "drcd" / "DRCD_dev.json"))
    results["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
