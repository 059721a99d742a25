"""A bulk import killed mid-way resumes, from outside: ``python -m rag import`` runs as a subprocess on 300 real CRUD
news lines packed into a temporary ``.tar.xz`` (``hash-256`` embedder, a version every 25 articles) and is stopped
once its first version is live (the index directory's ``CURRENT`` appears):

- SIGKILL: the index left behind loads whole (an earlier version), the parser process dies with the import, and a
  rerun ends with exactly the articles and chunks of an uninterrupted import of the same sample;
- SIGINT (Ctrl-C): the import ends by itself with status 130 and says how to resume; the rerun completes it;
- a parser process killed: the import ends with status 1 and a message; the rerun completes it.

Needs the shared data (``../shared/data/crud/docs.tar.xz``); skipped without it.
"""

from __future__ import annotations

import io
import itertools
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from reliability import State, cli, cli_env

from embeddings.hashing import HashEmbedder
from rag import Library, Settings

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = ROOT.parent / "shared" / "data" / "crud" / "docs.tar.xz"
LINES = 300
BATCH = "25"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, State]:
    """The sample archive and the state of an uninterrupted import of it."""
    if not ARCHIVE.exists():
        pytest.skip(f"{ARCHIVE} is absent: the resume tests need the shared CRUD archive")
    from eval.datasets.crud import iter_lines

    root = tmp_path_factory.mktemp("resume")
    lines = list(itertools.islice(iter_lines(ARCHIVE), LINES))
    data = "".join(f"{line}\n" for line in lines).encode("utf-8")
    path = root / "sample.tar.xz"
    with tarfile.open(path, "w:xz") as tar:
        info = tarfile.TarInfo("docs/sample.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    run = cli(root / "reference", "import", path, "--per-line", "--batch", BATCH)
    assert run.returncode == 0, run.stderr
    reference = load_state(root / "reference")
    # hand check: a line is one article, a line repeated in the sample is one article
    assert reference.articles == len(set(lines))
    return path, reference


def load_state(index_dir: Path) -> State:
    """What a fresh process finds (:func:`reliability.load_state`'s checks that the index is whole, then a search
    that must find articles by their opening words, as this sample has no common query word)."""
    lib = Library(Settings(index_dir=index_dir, model="hash-256", progress=False), HashEmbedder())
    index = lib.index
    assert len({c.id for c in index.chunks}) == len(index.chunks), "duplicate chunk ids"
    assert {c.article_id for c in index.chunks} == set(index.articles), "chunks and articles disagree"
    assert len(index.tokens) == len(index.chunks) == index.vectors.shape[0] == index.bm25.scores["num_docs"]
    for article, retriever in zip(itertools.islice(index.articles.values(), 0, None, 25),
                                  itertools.cycle(("bm25", "dense", "hybrid")), strict=False):
        hits = lib.search(article.body[:80], k=5, retriever=retriever)
        assert article.id in {h.chunk.article_id for h in hits}, (retriever, article.body[:80])
    return State(lib.stats()["version"], len(index.articles), len(index.chunks), frozenset(index.articles))


def _start(index_dir: Path, archive: Path) -> subprocess.Popen:
    env = cli_env(embed_batch_size=1)  # tiny encoder batches: a wider window between the first and last version
    # a shell without job control starts background jobs with SIGINT ignored, and the child would inherit that:
    # the import must see Ctrl-C as a terminal delivers it, whatever ran the tests
    return subprocess.Popen([sys.executable, "-m", "rag", "--index-dir", str(index_dir), "import", str(archive),
                             "--per-line", "--batch", BATCH, "--workers", "1"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_first_version(index_dir: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not (index_dir / "CURRENT").exists():
        assert process.poll() is None, f"the import ended before its first version: {process.communicate()}"
        assert time.monotonic() < deadline, "no version saved in time"
        time.sleep(0.01)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie is dead, waiting for its parent to reap it


def test_kill_9_then_rerun_gives_exactly_the_sample(sample: tuple[Path, State], tmp_path: Path) -> None:
    archive, reference = sample
    index_dir = tmp_path / "index"
    process = _start(index_dir, archive)
    _wait_for_first_version(index_dir, process)
    children = _children(process.pid)
    assert children, "the import runs a parser process"
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    killed = load_state(index_dir)  # loads whole: some of the sample, not all of it
    assert 0 < killed.articles < reference.articles and killed.article_ids < reference.article_ids
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children), "a parser process outlived the killed import"
    rerun = cli(index_dir, "import", archive, "--per-line", "--batch", BATCH)
    assert rerun.returncode == 0, rerun.stderr
    assert f"skipped {killed.articles} already indexed" in rerun.stdout
    resumed = load_state(index_dir)
    assert (resumed.articles, resumed.chunks, resumed.article_ids) == (reference.articles, reference.chunks,
                                                                      reference.article_ids)


def test_ctrl_c_saves_and_says_how_to_resume(sample: tuple[Path, State], tmp_path: Path) -> None:
    archive, reference = sample
    index_dir = tmp_path / "index"
    process = _start(index_dir, archive)
    _wait_for_first_version(index_dir, process)
    os.kill(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "run the same command again to resume" in err and "Traceback" not in err
    stopped = load_state(index_dir)
    assert 0 < stopped.articles < reference.articles
    assert f"index: {stopped.articles} articles" in out
    rerun = cli(index_dir, "import", archive, "--per-line", "--batch", BATCH)
    assert rerun.returncode == 0, rerun.stderr
    assert load_state(index_dir).article_ids == reference.article_ids


def test_a_dead_parser_process_ends_the_import_with_a_message(sample: tuple[Path, State], tmp_path: Path) -> None:
    archive, reference = sample
    index_dir = tmp_path / "index"
    process = _start(index_dir, archive)
    _wait_for_first_version(index_dir, process)
    workers = [pid for pid in _children(process.pid) if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()
               and "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()]
    assert workers
    os.kill(workers[0], signal.SIGKILL)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1 and "a parser process died" in err and "run the same command again" in err
    assert 0 < load_state(index_dir).articles < reference.articles
    rerun = cli(index_dir, "import", archive, "--per-line", "--batch", BATCH)
    assert rerun.returncode == 0, rerun.stderr
    assert load_state(index_dir).article_ids == reference.article_ids
