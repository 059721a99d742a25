"""Bad input at ingest, through the CLI (``python -m rag ingest``) and the upload endpoint: a clear result per file,
and nothing half-indexed. A failed file leaves the index exactly as it was (same live version, same counts); in a
batch with good and bad files the good ones are ingested and the bad ones reported (CLI: exit 1, one ``ERROR`` line
per bad file on stderr).

Pages in other encodings are seed pages re-encoded with Python's own gbk / gb18030 codecs.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest
from api_server import API_KEYS, MAX_UPLOAD_BYTES, build_index, error_of
from reliability import SEED_PAGES, cli, cli_env, load_state, seed_text, variant

from rag.ingest.pages import decode_page
from rag.ingest.parse import parse_page

# one new article (unique title and text), to build pages that are half old, half new
NEW_ARTICLE = """## 延庆区总工会举办冰雪运动职工体验日

本报讯（记者 测试员）近日，延庆区总工会在八达岭举办冰雪运动职工体验日，200余名一线职工参加。活动设置了滑雪教学、冰壶体验和雪地拔河三个项目。
"""

BAD_FILES: dict[str, bytes] = {
    "empty.txt": b"",
    "blank.txt": b" \n\t\r\n   \n",
    "binary.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
    "english.txt": b"Just some English text.\nNo Chinese news page here at all.\n",
    # only page furniture (a banner, a section label, an editor line): a text with sentences is a plain article
    "no-article.txt": "# 今日要闻\n\n### 图片新闻\n\n责任编辑：王五\n".encode(),
    "latin1.txt": "Caf\xe9 na\xefve r\xe9sum\xe9 \xa9 \xbd".encode("latin-1") * 20,
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the seed pages, built once; tests work on copies."""
    index_dir = tmp_path_factory.mktemp("seeded") / "index"
    build_index(index_dir, cli_env())
    return index_dir


@pytest.fixture
def index_dir(seeded: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(seeded, copy)
    return copy


def write(directory: Path, files: dict[str, bytes]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return [directory / name for name in files]


def encoded_pages() -> dict[str, tuple[bytes, str, str]]:
    """name -> (bytes, expected encoding, text): seed pages made new and re-encoded."""
    gb = variant(seed_text(1), "国标") + "\n## 䶮龘𠀀字测试\n\n本报讯（记者 测试员）近日，工会测试GB18030专有字“䶮”“𠀀”。\n"
    return {
        "gbk.txt": ((text := variant(seed_text(0), "GBK")).encode("gbk"), "gb18030", text),
        "gb18030.txt": (gb.encode("gb18030"), "gb18030", gb),
        "utf8-bom.txt": (b"\xef\xbb\xbf" + (bom := variant(seed_text(2), "BOM")).encode("utf-8"), "utf-8-sig", bom),
        "utf8-crlf.txt": ((crlf := variant(seed_text(3), "CRLF")).replace("\n", "\r\n").encode("utf-8"), "utf-8",
                          crlf),
    }


# -- CLI ------------------------------------------------------------------------------------------------------

def test_cli_reports_each_bad_file_and_changes_nothing(index_dir, tmp_path):
    before = load_state(index_dir)
    paths = write(tmp_path / "bad", BAD_FILES)
    run = cli(index_dir, "ingest", *paths)
    assert run.returncode == 1, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR ")]
    assert sorted(line.split()[1].rstrip(":") for line in errors) == sorted(BAD_FILES), run.stderr
    assert load_state(index_dir) == before  # same live version: nothing was written
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".tmp-")]


def test_cli_batch_ingests_the_good_and_reports_the_bad(index_dir, tmp_path):
    before = load_state(index_dir)
    good = tmp_path / "good.txt"
    good.write_bytes(variant(seed_text(4), "好").encode("gbk"))
    (bad,) = write(tmp_path, {"bad.bin": BAD_FILES["binary.png"]})
    run = cli(index_dir, "ingest", bad, good)
    assert run.returncode == 1
    assert "ERROR bad.bin" in run.stderr and "binary" in run.stderr
    assert "good.txt: 6 added, 0 already indexed (gb18030)" in run.stdout, run.stdout
    after = load_state(index_dir)
    assert after.articles == before.articles + 6 and after.version != before.version


def test_cli_reads_gbk_gb18030_and_bom_pages_without_mojibake(index_dir, tmp_path):
    before = load_state(index_dir)
    pages = encoded_pages()
    paths = write(tmp_path / "enc", {name: data for name, (data, _, _) in pages.items()})
    run = cli(index_dir, "ingest", *paths)
    assert run.returncode == 0, run.stderr
    expected_ids: set[str] = set()
    for name, (_, encoding, text) in pages.items():
        # the same ids as parsing the Unicode text: the text came through intact (photo news is left unchanged by
        # variant(), so those articles are already indexed)
        ids = {a.id for a in parse_page(text, name)}
        new = len(ids - before.article_ids)
        assert f"{name}: {new} added, {len(ids) - new} already indexed ({encoding})" in run.stdout, run.stdout
        expected_ids |= ids
    after = load_state(index_dir)
    assert after.article_ids == before.article_ids | expected_ids


def test_cli_duplicate_pages_and_overlapping_pages(index_dir, tmp_path):
    before = load_state(index_dir)
    seed = SEED_PAGES[0]
    old_two = seed_text(0).split("\n")[:50]  # the first two articles of the page, already indexed
    overlap = tmp_path / "overlap.txt"
    overlap.write_text("\n".join(old_two) + "\n\n" + NEW_ARTICLE, encoding="utf-8")
    copy = tmp_path / "copy-of-seed.txt"
    shutil.copy(seed, copy)
    run = cli(index_dir, "ingest", copy, seed, overlap)
    assert run.returncode == 0, run.stderr
    assert "copy-of-seed.txt: 0 added, 5 already indexed" in run.stdout
    assert f"{seed.name}: 0 added, 5 already indexed" in run.stdout
    assert "overlap.txt: 1 added, 2 already indexed" in run.stdout, run.stdout
    after = load_state(index_dir)
    assert after.articles == before.articles + 1
    again = cli(index_dir, "ingest", overlap)  # ingesting again changes nothing
    assert "overlap.txt: 0 added, 3 already indexed" in again.stdout and load_state(index_dir) == after


@pytest.mark.slow
def test_cli_20_mb_page(index_dir, tmp_path):
    """A 20 MB page (seed pages over and over, all already indexed): read, parsed, reported, nothing added."""
    before = load_state(index_dir)
    page = tmp_path / "big.txt"
    text = "\n\n".join(seed_text(n) for n in range(len(SEED_PAGES)))
    page.write_text("\n\n".join([text] * (20_000_000 // len(text.encode()) + 1)), encoding="utf-8")
    assert page.stat().st_size >= 20_000_000
    started = time.monotonic()
    run = cli(index_dir, "ingest", page)
    assert run.returncode == 0, run.stderr
    assert "big.txt: 0 added," in run.stdout and "already indexed (utf-8)" in run.stdout
    assert load_state(index_dir) == before
    print(f"20 MB page ingested in {time.monotonic() - started:.1f} s")


def test_a_page_repeating_its_articles_is_indexed_once(tmp_path):
    page = tmp_path / "twice.txt"
    page.write_text(seed_text(0) + "\n\n" + seed_text(0), encoding="utf-8")
    run = cli(tmp_path / "index", "ingest", page)
    assert run.returncode == 0
    state = load_state(tmp_path / "index")  # raises on duplicate chunk ids
    assert state.articles == 5 and "5 added" in run.stdout


def big5_page(n: int) -> tuple[bytes, str]:
    """Seed page ``n`` in Traditional characters, encoded as Big5, and its text as decoded."""
    from opencc import OpenCC

    data = OpenCC("s2t").convert(seed_text(n)).encode("big5", errors="replace")
    return data, data.decode("big5").replace("\r\n", "\n")


@pytest.mark.parametrize("n", range(len(SEED_PAGES)))
def test_big5_traditional_page_keeps_every_article(n):
    data, text = big5_page(n)
    page = decode_page(data, "big5.txt")
    # characters Big5 cannot hold were written as "?"; everything else comes back as it was
    assert page.encoding == "big5" and page.text == text
    simplified = parse_page(seed_text(n), SEED_PAGES[n].name)
    traditional = parse_page(page.text, "big5.txt")
    assert len(traditional) == len(simplified) >= 5, [a.title for a in traditional]


# -- API upload -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(server) -> httpx.Client:
    with httpx.Client(base_url=server.url, timeout=120, headers={"Authorization": f"Bearer {API_KEYS[0]}"}) as c:
        yield c


def ready(client: httpx.Client) -> tuple[int, int, str]:
    body = client.get("/readyz").json()
    return body["articles"], body["chunks"], body["version"]


def upload(client: httpx.Client, name: str, data: bytes, multipart: bool = True) -> httpx.Response:
    if multipart:
        return client.post("/api/articles", files={"file": (name, data, "text/plain")})
    return client.post("/api/articles", params={"source": name}, content=data, headers={"Content-Type": "text/plain"})


@pytest.fixture
def cleanup(client):
    added: list[str] = []
    yield added
    for article_id in added:
        client.delete(f"/api/articles/{article_id}")


@pytest.mark.parametrize("multipart", [True, False], ids=["multipart", "text"])
def test_upload_of_each_bad_file_is_a_clear_422_and_changes_nothing(client, multipart):
    before = ready(client)
    for name, data in BAD_FILES.items():
        err = error_of(upload(client, name, data, multipart), 422)
        assert err["code"] == "unreadable_page" and err["message"].startswith(name), err
    assert ready(client) == before


def test_upload_of_a_20_mb_page_is_413_and_changes_nothing(client):
    before = ready(client)
    page = ("\n\n".join(seed_text(n) for n in range(len(SEED_PAGES))) * 100).encode("utf-8")[:20_000_000]
    assert len(page) > MAX_UPLOAD_BYTES
    for multipart in (True, False):
        err = error_of(upload(client, "big.txt", page, multipart), 413)
        assert err["code"] == "payload_too_large"
    assert ready(client) == before


def test_upload_good_then_bad_keeps_the_good(client, cleanup):
    before = ready(client)
    good = upload(client, "good.txt", variant(seed_text(3), "上传").encode("gb18030"))
    assert good.status_code == 201, good.text
    cleanup.extend(good.json()["added"])
    error_of(upload(client, "bad.txt", BAD_FILES["no-article.txt"]), 422)
    articles, _, _ = ready(client)
    assert articles == before[0] + len(good.json()["added"]) == before[0] + 6


@pytest.mark.parametrize("name", ["gbk.txt", "gb18030.txt", "utf8-bom.txt", "utf8-crlf.txt"])
def test_upload_encodings(client, cleanup, name):
    data, encoding, text = encoded_pages()[name]
    response = upload(client, name, data)
    assert response.status_code == 201, response.text
    body = response.json()
    cleanup.extend(body["added"])
    assert body["encoding"] == encoding
    assert set(body["added"]) | set(body["duplicates"]) == {a.id for a in parse_page(text, name)}
    first = client.get(f"/api/articles/{body['added'][0]}").json()
    assert first["title"] in text and "\ufffd" not in first["body"]


def test_upload_of_a_big5_traditional_page_adds_every_article(client, cleanup):
    before = ready(client)
    data, _ = big5_page(1)
    response = upload(client, "big5.txt", data)
    assert response.status_code == 201, response.text
    body = response.json()
    cleanup.extend(body["added"])
    assert body["encoding"] == "big5"
    assert len(body["added"]) == len(parse_page(seed_text(1), SEED_PAGES[1].name)) == 6, body
    assert ready(client)[0] == before[0] + 6


def test_upload_duplicates_and_overlaps(client, cleanup):
    before = ready(client)
    again = upload(client, SEED_PAGES[0].name, SEED_PAGES[0].read_bytes())
    assert again.status_code == 200 and again.json()["added"] == [] and len(again.json()["duplicates"]) == 5
    assert ready(client) == before
    overlap = "\n".join(seed_text(0).split("\n")[:50]) + "\n\n" + NEW_ARTICLE
    response = upload(client, "overlap.txt", overlap.encode("utf-8"))
    assert response.status_code == 201, response.text
    cleanup.extend(response.json()["added"])
    assert len(response.json()["added"]) == 1 and len(response.json()["duplicates"]) == 2
    assert [a["status"] for a in response.json()["articles"]] == ["added", "duplicate", "duplicate"]


def test_upload_form_with_unknown_fields_is_400(client):
    before = ready(client)
    response = client.post("/api/articles", files={"file": ("a.txt", NEW_ARTICLE.encode(), "text/plain")},
                           data={"sauce": "x"})
    assert "unknown form field" in error_of(response, 400)["message"]
    assert ready(client) == before


@pytest.mark.parametrize("source", ["../../etc/passwd", "..\\..\\windows\\win.ini", "/abs/path.txt", "a\x00b.txt",
                                    "\u202etxt.exe", "..", "a" * 300])
def test_upload_source_names_are_made_safe(client, cleanup, source):
    response = client.post("/api/articles", params={"source": source}, content=NEW_ARTICLE.encode(),
                           headers={"Content-Type": "text/plain"})
    if response.status_code == 422:  # a source longer than 200 characters is refused outright
        assert len(source) > 200
        return
    assert response.status_code in (200, 201), response.text
    cleanup.extend(response.json()["added"])
    name = response.json()["source"]
    assert "/" not in name and "\\" not in name and "\x00" not in name and name not in ("", ".", "..")
