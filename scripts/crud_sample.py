"""Write a seeded sample of the CRUD news archive as a small archive of the same layout (one document per line), to
measure or test ``python -m rag import --per-line`` on real news of a chosen size::

    .venv/bin/python scripts/crud_sample.py 2000 /tmp/crud-2000.tar.xz [--seed 0] [--archive ../shared/data/crud/docs.tar.xz]

The lines are a uniform sample (reservoir, the archive streamed once), kept in archive order and written unchanged
(date head included) to one member ``docs/sample.txt``. The sample is data: keep it out of the repository.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.datasets.crud import iter_lines  # noqa: E402


def sample_lines(archive: Path, n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    chosen: list[tuple[int, str]] = []
    for i, line in enumerate(iter_lines(archive)):
        if len(chosen) < n:
            chosen.append((i, line))
        elif (j := rng.randint(0, i)) < n:
            chosen[j] = (i, line)
    return [line for _, line in sorted(chosen)]


def write_archive(lines: list[str], out: Path) -> None:
    data = "".join(f"{line}\n" for line in lines).encode("utf-8")
    with tarfile.open(out, "w:xz") as tar:
        info = tarfile.TarInfo("docs/sample.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n", type=int)
    p.add_argument("out", type=Path)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--archive", type=Path, default=Path("../shared/data/crud/docs.tar.xz"))
    args = p.parse_args()
    if not args.archive.exists():
        print(f"error: {args.archive}: no such archive", file=sys.stderr)
        return 1
    lines = sample_lines(args.archive, args.n, args.seed)
    write_archive(lines, args.out)
    print(f"{args.out}: {len(lines)} lines of {args.archive}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
