"""Places found in real text, for a hand check: counts per level and a random sample of mentions in context.

    .venv/bin/python scripts/measure_places.py [--data ../shared/data] [--docs 2000] [--sample 50] [--seed 5]

* CRUD-RAG news documents (a seeded random sample, one document per non-empty line);
* CMRC 2018 trial paragraphs (Simplified) and DRCD dev paragraphs (Traditional, matched on a Simplified copy).

For each set: documents with any region, mentions per level, milliseconds per document (find_regions +
with_parents), and ``--sample`` county-level mentions with eight characters either side, to judge by eye.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.ingest.places import COUNTY, _table, find_regions, level_of, with_parents  # noqa: E402
from rag.ingest.textnorm import to_simplified  # noqa: E402


def mentions(text: str):
    """(offset, surface form, canonical name) as find_regions reads them, left to right, longest first."""
    table, i = _table(), 0
    while i < len(text):
        for length in table.lengths.get(text[i], ()):
            form = text[i : i + length]
            if form in table.forms:
                yield i, form, table.forms[form]
                i += length
                break
        else:
            i += 1


def crud(data: Path, n: int, seed: int) -> list[str]:
    lines: list[str] = []
    with tarfile.open(data / "crud" / "docs.tar.xz") as tar:
        for member in tar:
            if member.isfile():
                text = tar.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
                lines.extend(line for line in text.split("\n") if line.strip())
    return random.Random(seed).sample(lines, n)


def squad(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [p["context"] for article in data["data"] for p in article["paragraphs"]]


def report(name: str, texts: list[str], sample: int, seed: int) -> None:
    texts = [to_simplified(t) for t in texts]
    start = time.perf_counter()
    found = [with_parents(find_regions(t)) for t in texts]
    ms = (time.perf_counter() - start) / len(texts) * 1000
    levels = Counter(level_of(name) for regions in found for name in regions)
    print(f"{name}: {len(texts)} documents, {sum(1 for r in found if r)} with a region, {ms:.2f} ms each; "
          f"regions by level (1 province, 2 city, 3 county): {dict(sorted(levels.items(), key=str))}")
    counties = [(form, canon, t[max(0, i - 8) : i + len(form) + 8].replace("\n", " "))
                for t in texts for i, form, canon in mentions(t) if level_of(canon) == COUNTY]
    for form, canon, context in random.Random(seed).sample(counties, min(sample, len(counties))):
        print(f"  {form} → {canon}: …{context}…")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    report("CRUD", crud(args.data, args.docs, args.seed), args.sample, args.seed)
    report("CMRC", squad(args.data / "cmrc2018" / "cmrc2018_trial.json"), args.sample, args.seed)
    report("DRCD", squad(args.data / "drcd" / "DRCD_dev.json"), args.sample, args.seed)


if __name__ == "__main__":
    main()
