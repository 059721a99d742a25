"""Bulk import (``python -m rag import``): inputs streamed from directories and archives, nothing dropped silently,
batches saved as index versions, reruns skip what is in. The cheap ``hash-256`` embedder: speed and answers are not
the point here. Kill -9 and Ctrl-C are in ``test_import_resume.py``."""

from __future__ import annotations

import io
import json
import random
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability import cli

from rag import Library
from rag.importer import Importer, import_paths
from rag.ingest.sources import Failure, Inputs, Padding, Unit

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_PAGES = sorted(SEEDS.glob("*.txt"))
SEED_ARTICLES, SEED_CHUNKS = 31, 76  # what `python -m rag ingest seeds/` gives

PLAIN = "今天，杭州市西湖区总工会举办了职工技能大赛，来自全区的两百名职工参加了比赛。大赛分为五个项目。"
PLAIN2 = "昨日，成都市武侯区举办社区运动会，三千余名居民参加了拔河、跳绳等十个项目的比赛。"


def _tar(path: Path, members: dict[str, bytes], mode: str = "w:xz") -> Path:
    with tarfile.open(path, mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _pieces(inputs: Inputs) -> tuple[list[Unit], list[Failure]]:
    pieces = [p for p in inputs if not isinstance(p, Padding)]
    return [p for p in pieces if isinstance(p, Unit)], [p for p in pieces if isinstance(p, Failure)]


def test_per_line_archive_yields_one_unit_per_non_empty_line(tmp_path: Path) -> None:
    text = f"{PLAIN}\n\n{PLAIN2}\n   \n你好\n"
    archive = _tar(tmp_path / "news.tar.gz", {"d/a.txt": text.encode(), "d/b.txt": b""}, "w:gz")
    inputs = Inputs([archive], per_line=True)
    units, failures = _pieces(inputs)
    assert [u.source for u in units] == ["news.tar.gz/d/a.txt#1", "news.tar.gz/d/a.txt#3", "news.tar.gz/d/a.txt#5"]
    assert [u.data for u in units] == [PLAIN, PLAIN2, "你好"]
    assert inputs.blank_lines == 2
    assert [f.source for f in failures] == ["news.tar.gz/d/b.txt"] and "empty" in failures[0].reason
    # the pieces stand for the whole archive's bytes (progress and ETA follow the compressed input)
    weights = [p.weight for p in Inputs([archive], per_line=True)]
    assert sum(weights) == pytest.approx(archive.stat().st_size) and min(weights) >= 0


def test_without_per_line_a_member_is_a_file(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "pages.tar.xz", {"a.txt": f"{PLAIN}\n{PLAIN2}\n".encode()})
    (unit,), failures = _pieces(Inputs([archive]))
    assert unit.source == "pages.tar.xz/a.txt" and isinstance(unit.data, bytes) and not failures


def test_directory_walk_reports_unsupported_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(PLAIN, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"title": "标题", "content": PLAIN2}, ensure_ascii=False) + "\n")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / ".hidden.txt").write_text(PLAIN, encoding="utf-8")
    units, failures = _pieces(Inputs([tmp_path]))
    assert [u.source for u in units] == ["b.jsonl", "sub/a.txt"]
    assert [f.source for f in failures] == ["photo.png"] and "not a supported file type" in failures[0].reason


def test_broken_members_are_reported_not_fatal(tmp_path: Path) -> None:
    # a zip whose second member's bytes are damaged (CRC mismatch), then a good third member
    path = tmp_path / "news.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.txt", PLAIN)
        z.writestr("b.txt", PLAIN2)
        z.writestr("c.txt", PLAIN)
    raw = bytearray(path.read_bytes())
    at = raw.find(PLAIN2.encode())
    raw[at:at + 3] = "错".encode()
    path.write_bytes(bytes(raw))
    units, failures = _pieces(Inputs([path]))
    assert [u.source for u in units] == ["news.zip/a.txt", "news.zip/c.txt"]
    assert [f.source for f in failures] == ["news.zip/b.txt"] and "cannot read this member" in failures[0].reason
    # a tar.xz cut short: the members before the cut are read, the rest is one failure with the reason
    rng = random.Random(0)  # text that does not compress away, so half the archive holds about half the members
    whole = _tar(tmp_path / "whole.tar.xz", {f"m{i}.txt": "".join(chr(rng.randint(0x4E00, 0x9FA5))
                                                                  for _ in range(20_000)).encode() for i in range(6)})
    cut = tmp_path / "cut.tar.xz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    units, failures = _pieces(Inputs([cut]))
    assert 0 < len(units) < 6
    assert len(failures) == 1 and failures[0].source == "cut.tar.xz"
    assert "cannot read the archive after member" in failures[0].reason
    # an archive inside an archive, and a binary member
    nested = _tar(tmp_path / "outer.tar", {"inner.zip": path.read_bytes(), "x.bin": b"\x00\x01" * 100}, "w")
    units, failures = _pieces(Inputs([nested]))
    assert units[0].source == "outer.tar/x.bin" and [f.source for f in failures] == ["outer.tar/inner.zip"]


def test_missing_path_is_an_error_at_once(tmp_path: Path) -> None:
    run = cli(tmp_path / "index", "import", tmp_path / "nope.tar.xz")
    assert run.returncode == 1 and "no such file or directory" in run.stderr


@pytest.mark.parametrize("workers", [0, 1])
def test_import_of_the_seeds_matches_ingest_and_reruns_add_nothing(tmp_path: Path, workers: int,
                                                                   make_hash_library: Callable[..., Library]) -> None:
    lib = make_hash_library(tmp_path / "index")
    tally = Importer(lib, batch=10, workers=workers).run(Inputs([SEEDS]))
    assert (tally.articles_added, tally.chunks_added, tally.failures) == (SEED_ARTICLES, SEED_CHUNKS, 0)
    assert tally.versions == 4  # a version for every 10 articles and one for the last 1
    reference = make_hash_library(tmp_path / "ingested")
    reference.ingest_paths([SEEDS])
    assert set(lib.index.articles) == set(reference.index.articles)
    assert [c.id for c in lib.index.chunks] == [c.id for c in reference.index.chunks]
    again = make_hash_library(tmp_path / "index")
    tally = Importer(again, batch=10, workers=workers).run(Inputs([SEEDS]))
    assert (tally.articles_added, tally.already_indexed, tally.versions) == (0, SEED_ARTICLES, 0)


def test_duplicates_and_failed_lines_are_counted(tmp_path: Path, make_hash_library: Callable[..., Library]) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(f"{PLAIN}\n{PLAIN2}\n{PLAIN}\n\n你好\n好的\n", encoding="utf-8")
    (pages / "b.txt").write_text(f"{PLAIN2}\n", encoding="utf-8")
    lib = make_hash_library(tmp_path / "index")
    tally = import_paths(lib, [pages], per_line=True, batch=1, workers=0)
    assert (tally.units, tally.articles_added, tally.duplicates, tally.blank_lines) == (6, 2, 2, 1)
    ((reason, n),) = tally.failed.items()  # 你好 and 好的: one reason, numbers masked
    assert n == 2 and "no article found" in reason and tally.examples[reason] == ["a.txt#5", "a.txt#6"]
    assert len(lib.index.articles) == 2


def test_cli_summary_and_exit_status(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "news.tar.xz", {"d/a.txt": f"{PLAIN}\n{PLAIN2}\n你好\n".encode()})
    run = cli(tmp_path / "index", "import", archive, "--per-line", "--workers", "0")
    assert run.returncode == 0, run.stderr
    assert "added 2 articles" in run.stdout and "index: 2 articles" in run.stdout
    assert "failed 1 inputs:" in run.stderr and "news.tar.xz/d/a.txt#3" in run.stderr
    binary = tmp_path / "x.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    run = cli(tmp_path / "index", "import", binary)
    assert run.returncode == 1 and "nothing could be read" in run.stderr and "binary file" in run.stderr
    run = cli(tmp_path / "index", "import", archive, "--batch", "0")
    assert run.returncode == 1 and "batch size" in run.stderr


def test_a_broken_member_is_counted_and_the_rest_imported(tmp_path: Path,
                                                          make_hash_library: Callable[..., Library]) -> None:
    archive = _tar(tmp_path / "news.tar.xz", {"a.txt": f"{PLAIN}\n".encode(), "b.txt": b"\x00\x01\x02" * 50,
                                              "c.txt": f"{PLAIN2}\n".encode(), "d.zip": b"PK\x03\x04"})
    lib = make_hash_library(tmp_path / "index")
    tally = import_paths(lib, [archive], per_line=True, batch=1, workers=0)
    assert (tally.articles_added, tally.failures, tally.versions) == (2, 2, 2)
    assert sorted(s for sources in tally.examples.values() for s in sources) == ["news.tar.xz/b.txt",
                                                                                 "news.tar.xz/d.zip"]
    assert any("binary file" in reason for reason in tally.failed)
