"""``python -m rag`` as users run it: in a subprocess with ``RAG_*`` settings from the environment. Error cases run
``main()`` in-process (same code path, faster)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag import Library
from rag.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
P3 = "003_8172d0507c8e507c.txt"
CONTESTS = {"2025年通州区工会集体协商大赛决赛举办", "昌平区集体协商技能大赛开赛"}


def run_cli(*args: str, index_dir: Path, model: str | None = "hash-256",
            flags: tuple[str, ...] = ("-q",)) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env |= {"RAG_INDEX_DIR": str(index_dir), "RAG_CACHE_DIR": str(ROOT / ".cache")}
    if model:
        env["RAG_MODEL"] = model
    return subprocess.run([sys.executable, "-m", "rag", *flags, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def test_ingest_search_stats_delete(tmp_path: Path, seeds_dir: Path) -> None:
    index_dir = tmp_path / "index"
    done = run_cli("ingest", str(seeds_dir), index_dir=index_dir)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(";")[0] for line in lines[:5]] == [f"{p.name}: {n} added, 0 already indexed (utf-8)"
                         for p, n in zip(sorted(seeds_dir.glob("*.txt")), [5, 6, 7, 7, 6], strict=True)]
    assert lines[5].startswith("index: 31 articles, ")

    done = run_cli("search", "给单身青年牵线的游园会", "-k", "3", "--json", index_dir=index_dir)
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)["hits"]
    assert len(hits) == 3
    assert set(hits[0]) == {"chunk_id", "article_id", "title", "text", "score", "source", "start", "end"}
    assert hits[0]["title"] == "朝外街道总工会为单身职工“搭鹊桥”" and hits[0]["source"] == P3
    assert all(len(h["text"]) == h["end"] - h["start"] for h in hits)

    done = run_cli("search", "陶然亭街道章丘大葱", "--retriever", "bm25", index_dir=index_dir)
    assert done.returncode == 0 and done.stdout.startswith("1. [")
    assert "陶然亭街道总工会为职工“寒冬送暖”" in done.stdout.splitlines()[0]

    stats = json.loads(run_cli("stats", index_dir=index_dir).stdout)
    assert (stats["articles"], stats["model"], len(stats["sources"])) == (31, "hash-256", 5)

    article_id = hits[0]["article_id"]
    done = run_cli("delete", article_id, index_dir=index_dir)
    assert (done.returncode, done.stdout.strip()) == (0, f"deleted {article_id}: 朝外街道总工会为单身职工“搭鹊桥”")

    done = run_cli("ingest", str(seeds_dir / P3), index_dir=index_dir)  # brings it back, nothing else
    assert done.stdout.splitlines()[0].split(";")[0] == f"{P3}: 1 added, 6 already indexed (utf-8)"


def test_quiet_by_default_and_logs_with_v(tmp_path: Path, seeds_dir: Path) -> None:
    index_dir = tmp_path / "index"
    done = run_cli("ingest", str(seeds_dir / P3), index_dir=index_dir, flags=())
    assert done.returncode == 0 and done.stdout.startswith(f"{P3}: 7 added")
    assert done.stderr == ""  # no logs, and no progress bars when stderr is not a terminal
    done = run_cli("ingest", str(seeds_dir / "004_abbda0325e153582.txt"), index_dir=index_dir, flags=("-v",))
    assert done.returncode == 0 and "INFO rag.index.store: index saved as v-" in done.stderr


def test_list_shows_ids_dates_titles_and_places(hash_library: Library, cli_env: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--index-dir", str(hash_library.index_dir), "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 31
    by_title = {a.title: a.id for a in hash_library.index.articles.values()}
    row = next(line for line in lines if line.startswith(by_title["密云区工匠学院成立"]))
    assert "  密云区工匠学院成立  [" in row and "密云区" in row.rsplit("[", 1)[1]  # places in brackets
    row = next(line for line in lines if line.startswith(by_title["朝外街道总工会为单身职工“搭鹊桥”"]))
    assert "朝外街道" in row

    assert main(["--index-dir", str(hash_library.index_dir), "list", "--source", P3]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 7  # the articles of one page
    assert main(["--index-dir", str(hash_library.index_dir), "list", "--place", "密云区"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows and all("密云区" in row.rsplit("[", 1)[1] for row in rows)

    assert main(["--index-dir", str(hash_library.index_dir), "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == list(hash_library.index.articles)
    assert set(rows[0]) == {"id", "date", "title", "label", "publisher", "places", "source", "kind"}
    assert all(r["source"] not in r["label"] and r["label"].endswith(f"《{r['title']}》") for r in rows)


def test_list_stats_and_delete_never_load_the_model(hash_library: Library, cli_env: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import embeddings.loader

    def refuse(settings: object) -> None:
        raise AssertionError("the embedding model was loaded")

    copy = tmp_path / "copy"
    shutil.copytree(hash_library.index_dir, copy)
    monkeypatch.setattr(embeddings.loader, "load_embedder", refuse)
    article_id = next(iter(hash_library.index.articles))
    for args in (["stats"], ["list"], ["delete", article_id]):
        assert main(["-q", "--index-dir", str(copy), *args]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out.split("}\n", 1)[0] + "}")["articles"] == 31
    assert main(["-q", "--index-dir", str(copy), "stats"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 30
    with pytest.raises(AssertionError, match="was loaded"):  # and one that embeds does load it
        main(["-q", "--index-dir", str(copy), "search", "集体协商", "--retriever", "dense"])


def test_ask_prints_each_cited_article_once_with_its_sentences(hash_library: Library, cli_env: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "--index-dir", str(hash_library.index_dir), "ask", "哪些区举办了集体协商比赛？"]) == 0
    out = capsys.readouterr().out
    assert ".txt)" in out and "[1]" in out
    heads = [line for line in out.splitlines() if re.match(r"(\[\d+\])+ ", line)]
    cited = [line for line in out.splitlines() if re.match(r"    \[\d+\] ", line)]
    assert heads and len(cited) >= len(heads)
    assert len({h.split(" ", 1)[1] for h in heads}) == len(heads)  # one line per article
    assert all("《" in h for h in heads)


def test_ingest_reports_a_binary_file_and_exits_1(tmp_path: Path, seeds_dir: Path) -> None:
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes((seeds_dir / P3).read_text(encoding="utf-8").encode("gbk"))
    done = run_cli("ingest", str(png), str(gbk), index_dir=tmp_path / "index")
    assert done.returncode == 1
    assert "ERROR photo.png: photo.png: this looks like a binary file, not a text page (NUL bytes found)." in done.stderr
    assert "gbk.txt: 7 added, 0 already indexed (gb18030)" in done.stdout  # the readable page still goes in


# ---------------------------------------------------------------- errors, in-process


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key in [k for k in os.environ if k.startswith("RAG_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("RAG_MODEL", "hash-256")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    return tmp_path / "index"


@pytest.mark.parametrize(("args", "message"), [
    (["delete", "nope"], "error: no article with id 'nope'"),
    (["search", "   "], "error: query is empty; ask a question in words."),
    (["search", "工会", "-k", "0"], "error: k must be between 1 and 50, got 0."),
    (["ingest", "no/such/page.txt"], "error: no/such/page.txt: no such file or directory"),
])
def test_failures_exit_1_with_a_message(cli_env: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                        message: str) -> None:
    assert main(["-q", *args]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == message and captured.out == ""


def test_search_without_an_index_finds_nothing(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "search", "集体协商", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"hits": []}
    assert not cli_env.exists() or not any(cli_env.iterdir())  # reading never creates an index


def test_another_model_than_the_index_exits_1(hash_library: Library, cli_env: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(hash_library.index_dir, copy)
    monkeypatch.setenv("RAG_MODEL", "hash-128")
    assert main(["-q", "--index-dir", str(copy), "stats"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: index at {copy} was built with model 'hash-256' but 'hash-128' is configured")
    assert "set RAG_MODEL" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2 and "invalid choice" in capsys.readouterr().err


# ---------------------------------------------------------------- the real index (slow)


@pytest.mark.slow
def test_search_json_against_the_real_index(real_library: Library) -> None:
    done = run_cli("search", "哪些区举办了集体协商比赛", "--json", index_dir=real_library.index_dir, model=None)
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)["hits"]
    assert len(hits) == 5
    assert {h["title"] for h in hits} >= CONTESTS
