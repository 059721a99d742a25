"""Crash safety, from outside: ``python -m rag ingest`` runs in a subprocess and is killed with SIGKILL at chosen
points, found by watching it (no test hooks in ``rag/``):

- while embedding: its progress bar (stderr) shows the embedding has started, and no new version is on disk yet;
- while writing: a ``.tmp-*`` version directory appears in the index directory (killed at once), its vectors are
  written, its manifest is written, or the finished version has been renamed into place.

After each kill a fresh process must load the index and find either the old state or the new one (same articles and
chunks as an uninterrupted ingest of the same batch), never a torn one, and ingesting the batch again completes it.
Two ingests started at once overlap (one asks for the index lock while the other holds it, by the clock) and are
serialised by that lock: both batches end up in the index.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from api_server import ROOT, build_index
from reliability import State, cli, cli_env, cli_popen, load_state, write_variants

from embeddings.hashing import HashEmbedder
from rag import Library, Settings
from rag.ingest.parse import parse_page

pytestmark = pytest.mark.slow

COPIES = 10  # variants of each seed page in the batch: ~280 new articles, ~700 chunks
SLOW_ENV = {"progress": "true", "embed_batch_size": 1}  # a progress bar to watch; tiny batches, a longer window


@dataclass(frozen=True)
class Workload:
    base: Path  # the index before the batch
    pages: Path  # the batch: a directory of page files
    old: State
    new: State  # after an uninterrupted ingest of the batch


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> Workload:
    root = tmp_path_factory.mktemp("crash")
    base = root / "base"
    build_index(base, cli_env())
    pages = root / "pages"
    write_variants(pages, COPIES)
    reference = root / "reference"
    shutil.copytree(base, reference)
    run = cli(reference, "ingest", pages)
    assert run.returncode == 0, run.stderr
    old, new = load_state(base), load_state(reference)
    assert new.articles > old.articles + 100
    return Workload(base, pages, old, new)


def content(state: State) -> tuple[frozenset[str], int, int]:
    """What an index holds, without its version name."""
    return state.article_ids, state.articles, state.chunks


# -- kill points: predicates over (the ingest's stderr so far, the index directory) ---------------------------

def tmp_versions(index_dir: Path) -> list[Path]:
    return [p for p in index_dir.iterdir() if p.name.startswith(".tmp-")]


def embedding_started(err: str, index_dir: Path) -> bool:
    return "embedding chunks" in err


def embedding_late(err: str, index_dir: Path) -> bool:
    """Past half the chunks, or on to the sentence vectors."""
    done = [int(p) for p in re.findall(r"embedding chunks:\s+(\d+)%", err)]
    return "embedding sentences" in err or any(50 <= p < 100 for p in done)


def writing(err: str, index_dir: Path) -> bool:
    return bool(tmp_versions(index_dir))


def wrote(name: str) -> Callable[[str, Path], bool]:
    def predicate(err: str, index_dir: Path) -> bool:
        # "vectors.npy" is a part's "p-….vectors.npy", not its "p-….sentence_vectors.npy"
        return any(any(tmp.glob(name)) or any(tmp.glob(f"*.{name}")) for tmp in tmp_versions(index_dir))

    return predicate


def renamed(old_version: str) -> Callable[[str, Path], bool]:
    def predicate(err: str, index_dir: Path) -> bool:
        return any(p.name.startswith("v-") and p.name != old_version for p in index_dir.iterdir())

    return predicate


@dataclass
class Kill:
    killed: bool  # False if the ingest finished before the point was reached
    wrote_before_kill: bool  # a new version directory (temporary or final) existed when it was killed
    seconds: float


def ingest_and_kill(index_dir: Path, pages: Path, point: Callable[[str, Path], bool], log: Path,
                    delay: float = 0.0) -> Kill:
    """Start the CLI ingest, poll every millisecond until ``point`` holds, wait ``delay``, then SIGKILL it."""
    old_version = (index_dir / "CURRENT").read_text().strip()
    started = time.monotonic()
    with open(log, "wb") as err:
        process = cli_popen(index_dir, "ingest", pages, env=cli_env(**SLOW_ENV), stderr=err)
        try:
            while process.poll() is None and time.monotonic() - started < 300:
                if point(log.read_text(encoding="utf-8", errors="replace"), index_dir):
                    if delay:
                        time.sleep(delay)
                    wrote = bool(tmp_versions(index_dir)) or renamed(old_version)("", index_dir)
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)
                    return Kill(process.returncode == -signal.SIGKILL, wrote, time.monotonic() - started)
                time.sleep(0.001)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
    return Kill(False, True, time.monotonic() - started)


POINTS = {
    "embedding, at its start": (embedding_started, 0.0),
    "embedding, past half the chunks": (embedding_late, 0.0),
    "embedding, start + 0.2 s": (embedding_started, 0.2),
    "writing, temp dir created": (writing, 0.0),
    "writing, vectors written": (wrote("vectors.npy"), 0.0),
    "writing, manifest written": (wrote("manifest.json"), 0.0),
}


@pytest.mark.parametrize("point", [*POINTS, "writing, renamed into place"])
def test_sigkill_leaves_old_or_new_state_and_reingest_completes(workload: Workload, tmp_path: Path, point: str):
    index_dir = tmp_path / "index"
    shutil.copytree(workload.base, index_dir)
    predicate, delay = POINTS.get(point, (renamed(workload.old.version or ""), 0.0))
    kill = ingest_and_kill(index_dir, workload.pages, predicate, tmp_path / "stderr.log", delay)
    print(f"{point}: killed={kill.killed} after {kill.seconds:.2f} s, new files on disk: {kill.wrote_before_kill}")
    assert kill.killed, f"the ingest finished before '{point}' was seen; make the batch bigger"

    after = load_state(index_dir)  # loads, and is whole (see load_state)
    assert content(after) in (content(workload.old), content(workload.new)), after
    print(f"{point}: restarted on the {'old' if content(after) == content(workload.old) else 'new'} state")
    if point.startswith("embedding") and not kill.wrote_before_kill:
        assert after == workload.old  # nothing was written: the very same version is live
    if point in ("embedding, at its start", "embedding, past half the chunks"):
        assert not kill.wrote_before_kill, "the kill came after embedding; make the batch bigger"
    if point.startswith("writing") and point != "writing, renamed into place":
        assert after.version == workload.old.version  # CURRENT is swapped only after the new version is complete

    # restart: ingesting the batch again completes it (a fresh Library, as a restarted service would)
    lib = Library(Settings(index_dir=index_dir, model="hash-256", progress=False), HashEmbedder())
    results = lib.ingest_paths([workload.pages])
    assert not [r for r in results if r.error]
    final = load_state(index_dir)
    assert content(final) == content(workload.new)
    assert not tmp_versions(index_dir) or final.version == after.version  # a save clears leftover temp dirs


# ``python -m rag ingest`` with the index lock timed from outside (``rag.index.store.writer_lock`` wrapped in this process
# only): when it was asked for, got and given back. Both processes wait for a "go" file, so they ingest at once.
TIMED_INGEST = """
import json, sys, time
from pathlib import Path

import rag.index.store as store

index_dir, pages, timing, go = sys.argv[1:5]
real, marks = store.writer_lock, {}


class Timed:
    def __init__(self, lock):
        self.lock = lock

    def __enter__(self):
        marks["requested"] = time.time()
        self.lock.acquire()
        marks["acquired"] = time.time()
        return self

    def __exit__(self, *exc):
        self.lock.release()
        marks["released"] = time.time()


store.writer_lock = lambda *args, **kwargs: Timed(real(*args, **kwargs))
from rag.__main__ import main

while not Path(go).exists():
    time.sleep(0.005)
code = main(["--index-dir", index_dir, "-q", "ingest", pages])
Path(timing).write_text(json.dumps(marks))
sys.exit(code)
"""


def test_two_concurrent_ingests_overlap_and_are_serialised(workload: Workload, tmp_path: Path):
    index_dir = tmp_path / "index"
    shutil.copytree(workload.base, index_dir)
    expected = set(workload.old.article_ids)
    for tag in ("甲", "乙"):
        for path in write_variants(tmp_path / tag, 2, tag):
            expected |= {a.id for a in parse_page(path.read_text(encoding="utf-8"), path.name)}
    go = tmp_path / "go"
    runs = {tag: (tmp_path / f"{tag}.json", tmp_path / f"{tag}.log") for tag in ("甲", "乙")}
    processes = []
    for tag, (timing, log) in runs.items():
        with open(log, "wb") as handle:
            processes.append(subprocess.Popen(
                [sys.executable, "-c", TIMED_INGEST, str(index_dir), str(tmp_path / tag), str(timing), str(go)],
                cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL, stderr=handle))
    time.sleep(3)  # both have imported everything and wait for the go
    go.touch()
    codes = [process.wait(timeout=300) for process in processes]
    assert codes == [0, 0], [log.read_text(encoding="utf-8", errors="replace")[-2000:] for _, log in runs.values()]
    first, second = sorted((json.loads(timing.read_text()) for timing, _ in runs.values()),
                           key=lambda m: m["acquired"])
    print(f"first held the lock {first['acquired'] - first['requested']:.2f}..{first['released'] - first['requested']:.2f} s, "
          f"second asked {second['requested'] - first['requested']:.2f} s and got it "
          f"{second['acquired'] - first['requested']:.2f} s after the first asked")
    # they overlapped: the second asked for the lock while the first held it ...
    assert first["acquired"] < second["requested"] < first["released"], (first, second)
    # ... and were serialised: the second got it only once the first had given it back
    assert second["acquired"] >= first["released"], (first, second)
    final = load_state(index_dir)
    assert final.article_ids == expected, "a batch was lost: the writers were not serialised"
