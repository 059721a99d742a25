"""Holes a hostile probe of a running server found, each pinned here: forged ``X-Forwarded-For`` from loopback, an
unbounded feedback file, a client that hangs up mid-upload, questions with no visible character, CORS open to every
site by default, keys in query strings reaching the access log, and a 429 that does not say what to raise.

Servers are real: uvicorn in a subprocess started as ``make run`` starts it (``api.main:app``), or, where a test
needs a custom app, in a thread.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_server import ROOT, ThreadServer, build_index, error_of, free_port, rag_env, wait_ready

from api.clientip import UNTRUSTED_FORWARD
from api.feedback_store import FeedbackStore
from api.main import create_app
from api.ratelimit import SlidingWindowLimiter
from embeddings.hashing import HashEmbedder
from rag import Library, Settings
from rag.answer import answer
from rag.errors import InputError, TooLargeError

KEY = "probe-key-5d1e9b7a3c"
SECRET = "probe-secret-in-a-query-7f3a"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A hash-256 index of the seed pages, built once by the CLI; servers copy nothing, they only read it."""
    index_dir = tmp_path_factory.mktemp("probe") / "index"
    build_index(index_dir, rag_env(model="hash-256", progress="false"))
    return index_dir


class Uvicorn:
    """``python -m uvicorn api.main:app`` over ``index_dir`` with ``RAG_*`` settings and extra uvicorn flags."""

    def __init__(self, index_dir: Path, home: Path, *flags: str, **settings: object) -> None:
        self.env = rag_env(model="hash-256", index_dir=index_dir, api_keys=KEY, progress="false",
                           feedback_path=home / "feedback.jsonl", **settings)
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log_path = home / f"server-{self.url.rsplit(':', 1)[1]}.log"
        self.flags = flags

    def __enter__(self) -> Uvicorn:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port",
                 self.url.rsplit(":", 1)[1], *self.flags], cwd=ROOT, env=self.env, stdout=log,
                stderr=subprocess.STDOUT)
        wait_ready(self.url, process=self.process)
        return self

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


def from_ip(url: str, ip: str) -> httpx.Client:
    return httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=ip), timeout=30)


# -- 1. forwarded headers and the rate limit ------------------------------------------------------------------

def test_forged_forwarded_for_from_loopback_buys_no_new_budget(seeded, tmp_path):
    """Plain ``uvicorn api.main:app`` trusts X-Forwarded-For from 127.0.0.1; the app must not key on it."""
    with Uvicorn(seeded, tmp_path, rate_limit_per_minute=5) as server, from_ip(server.url, "127.0.0.1") as client:
        statuses = [client.post("/api/search", json={"query": "工会"},
                                headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(8)]
        more = [client.post("/api/search", json={"query": "工会"},
                            headers={"X-Forwarded-For": f"203.0.113.{n}, 192.0.2.{n}"}).status_code
                for n in range(3)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3, statuses
    assert more == [429] * 3, more


def test_refused_callers_leave_no_state_behind():
    """Forging a new address per request at the shared limit must not grow the limiter (one entry per address)."""
    limiter = SlidingWindowLimiter(2)
    assert [limiter.check("ip:a", UNTRUSTED_FORWARD) for _ in range(2)] == [0.0, 0.0]
    assert all(limiter.check(f"ip:{'x' * 60}{n}", UNTRUSTED_FORWARD) > 0 for n in range(1000))
    assert sorted(limiter._hits) == ["forwarded-untrusted", "ip:a"]


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(seeded, tmp_path):
    """Behind a proxy (``RAG_TRUSTED_PROXIES``) each forwarded client has its own budget; others still cannot forge."""
    with Uvicorn(seeded, tmp_path, "--no-proxy-headers", rate_limit_per_minute=3,
                 trusted_proxies="127.0.0.1") as server, from_ip(server.url, "127.0.0.1") as proxy, \
            from_ip(server.url, "127.0.0.2") as stranger:
        for client_ip in ("198.51.100.1", "198.51.100.2"):
            forwarded = {"X-Forwarded-For": client_ip}
            got = [proxy.post("/api/search", json={"query": "工会"}, headers=forwarded).status_code
                   for _ in range(4)]
            assert got == [200, 200, 200, 429], (client_ip, got)
        # the proxy's own requests (no header) are the proxy's budget, apart from its clients'
        assert proxy.post("/api/search", json={"query": "工会"}).status_code == 200
        # an untrusted peer's header is ignored: its forged addresses share one budget
        got = [stranger.post("/api/search", json={"query": "工会"},
                             headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code for n in range(5)]
        assert got == [200, 200, 200, 429, 429], got


def test_the_429_names_the_setting_to_raise(seeded, tmp_path):
    with Uvicorn(seeded, tmp_path, rate_limit_per_minute=1) as server, httpx.Client(base_url=server.url) as client:
        client.get("/api/articles")
        err = error_of(client.get("/api/articles"), 429)
    assert "RAG_RATE_LIMIT_PER_MINUTE" in err["message"] and "1 per minute" in err["message"], err


# -- 3. a client that hangs up mid-upload ---------------------------------------------------------------------

def hang_up_mid_body(url: str, path: str, ctype: str, head: bytes, declared: int) -> None:
    """Send headers declaring ``declared`` bytes, then ``head`` only, then close the connection."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {KEY}\r\n"
                      f"Content-Type: {ctype}\r\nContent-Length: {declared}\r\n\r\n").encode() + head)
        time.sleep(0.3)  # the server is now waiting for the rest of the body


def test_a_client_hanging_up_mid_body_is_one_info_line_not_a_500(seeded, tmp_path):
    page = (ROOT / "seeds").glob("*.txt").__next__().read_bytes()
    boundary = "probeboundary"
    multipart_head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.txt\"\r\n"
                      "Content-Type: text/plain\r\n\r\n").encode() + page[:3000]
    with Uvicorn(seeded, tmp_path, "--log-level", "info") as server:
        before = httpx.get(f"{server.url}/readyz").json()
        hang_up_mid_body(server.url, "/api/articles", "text/plain", page[:3000], 90_000)
        hang_up_mid_body(server.url, "/api/articles", f"multipart/form-data; boundary={boundary}", multipart_head,
                         90_000)
        hang_up_mid_body(server.url, "/api/ask", "application/json", '{"question": "工会'.encode(), 5_000)
        time.sleep(1.0)
        after = httpx.get(f"{server.url}/readyz").json()
        log = server.log()
    assert after == before, "a half-sent upload changed the index"
    assert "Traceback" not in log and " 500" not in log and "unexpected error" not in log, log[-3000:]
    lines = [line for line in log.splitlines() if "disconnect" in line.lower()]
    assert len(lines) == 3 and all(line.startswith("INFO") for line in lines), log[-3000:]


# -- 5. CORS default and the access log -----------------------------------------------------------------------

def test_cors_is_same_origin_only_by_default(seeded, tmp_path):
    assert Settings.model_fields["cors_origins"].get_default(call_default_factory=True) == []
    settings = Settings(index_dir=seeded, model="hash-256", progress=False)
    with ThreadServer(create_app(settings, Library(settings, HashEmbedder()))) as server, httpx.Client(base_url=server.url) as client:
        simple = client.post("/api/search", json={"query": "工会"}, headers={"Origin": "https://any.example"})
        assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers
        preflight = client.options("/api/articles", headers={"Origin": "https://any.example",
                                                             "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in preflight.headers
        same = client.post("/api/search", json={"query": "工会"})  # the bundled page: no Origin, no CORS needed
        assert same.status_code == 200


def test_query_strings_are_redacted_from_the_access_log(seeded, tmp_path):
    with Uvicorn(seeded, tmp_path, "--log-level", "info", "--access-log") as server, \
            httpx.Client(base_url=server.url) as client:
        assert client.get("/api/articles", params={"api_key": SECRET, "size": 2}).status_code == 200
        client.get("/api/feedback", params={"key": SECRET})
        client.get(f"/no/such/{SECRET[:5]}", params={"token": SECRET})
        time.sleep(0.3)
        log = server.log()
    assert "GET /api/articles?" in log, log[-2000:]  # the request is logged, its query is not
    assert SECRET not in log, log[-2000:]


# -- 4. questions with no visible character -------------------------------------------------------------------

INVISIBLE = ["\u200b", "\u200d\ufeff", "\x00", "\x01\x02\x7f", "\u2060\u00ad \u180e", "\ufe0f\u200c\t",
             "\U000e0041\U000e007f"]


@pytest.mark.parametrize("question", INVISIBLE)
def test_a_question_with_no_visible_character_is_empty(hash_library, question):
    with pytest.raises(InputError, match="empty"):
        answer(hash_library, question)


def test_visible_text_among_invisible_characters_is_still_a_question(hash_library):
    result = answer(hash_library, "\u200b密云区\u200d工匠学院\ufeff是什么时候成立的？")
    assert result.answerable


# -- 2. feedback is bounded -----------------------------------------------------------------------------------

def feedback_app(library: Library, home: Path, **overrides: object) -> ThreadServer:
    values = {"index_dir": library.index_dir, "model": "hash-256", "progress": False, "api_keys": [KEY],
              "feedback_path": home / "feedback.jsonl", "rate_limit_per_minute": 100_000} | overrides
    return ThreadServer(create_app(Settings(**values), library))


GOOD = {"question": "密云区工匠学院是什么时候成立的？", "answer": "密云区工匠学院近日成立[1]。", "rating": "up",
        "citations": [{"n": 1, "article_id": "9d99fd9dcb55520a", "chunk_id": "9d99fd9dcb55520a:0", "start": 0,
                       "end": 20}]}


@pytest.mark.parametrize(("change", "status"), [
    ({"citations": [{"n": 1, "junk": "x" * 500_000}]}, 413),  # the probe's 500 KB record: refused unread
    ({"citations": [{"n": 1, "junk": "x" * 70_000}]}, 413),  # over the 64 KB feedback body limit
    ({"citations": [{"n": 1, "junk": "x" * 50_000}]}, 422),  # unknown field in a citation
    ({"citations": [{"n": 1, "article_id": "x" * 5_000}]}, 422),
    ({"citations": list(range(1, 200))}, 422),  # too many
    ({"citations": [{"n": 1, "nested": {"a": [1, 2, 3]}}]}, 422),
    ({"rating": "sideways"}, 422),
    ({"question": "问" * 5_000}, 422),
    ({"answer": "答" * 20_000}, 422),
    ({"comment": "评" * 5_000}, 422),
    ({"question": "\u200b"}, 422),
])
def test_feedback_is_validated_and_bounded(hash_library, tmp_path, change, status):
    with feedback_app(hash_library, tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        error_of(client.post("/api/feedback", json=GOOD | change), status)
        assert client.post("/api/feedback", json=GOOD).status_code == 201
    assert len((tmp_path / "feedback.jsonl").read_bytes().splitlines()) == 1


def test_feedback_citations_as_numbers_or_small_objects(hash_library, tmp_path):
    """JSON Schema calls 1.0 an integer (a fresh schemathesis seed sent one); 1.5 or "1" are not."""
    with feedback_app(hash_library, tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        for citations in ([1, 2.0], [{"n": 1.0, "article_id": "9d99fd9dcb55520a", "start": 0.0}]):
            assert client.post("/api/feedback", json=GOOD | {"citations": citations}).status_code == 201, citations
        for citations in ([1.5], ["1"], [True], [{"n": 1, "article_id": "9d99fd9dcb55520a", "start": -1}]):
            error_of(client.post("/api/feedback", json=GOOD | {"citations": citations}), 422)


def test_a_stored_feedback_record_is_at_most_4_kb(hash_library, tmp_path):
    biggest = GOOD | {"question": "问" * 500, "answer": "答" * 1000, "comment": "评" * 500,
                      "citations": [GOOD["citations"][0]] * 20}
    with feedback_app(hash_library, tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        response = client.post("/api/feedback", json=biggest)
        assert response.status_code in (201, 413, 422), response.text
        if response.status_code != 201:
            assert "4096" in response.json()["error"]["message"]
    for line in (tmp_path / "feedback.jsonl").read_bytes().splitlines() if response.status_code == 201 else []:
        assert len(line) <= 4096


def test_the_feedback_file_is_capped_and_read_a_page_at_a_time(hash_library, tmp_path):
    """30 records into files of at most 2 KB, 2 backups kept: the disk holds at most 3 files of 2 KB; reading is
    newest first, across the files, a page at a time."""
    with feedback_app(hash_library, tmp_path, feedback_max_bytes=2048, feedback_backups=2) as server, \
            httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {KEY}"}) as client:
        for n in range(30):
            assert client.post("/api/feedback", json=GOOD | {"comment": f"第{n}条"}).status_code == 201
        files = sorted(tmp_path.glob("feedback.jsonl*"))
        files = [f for f in files if not f.name.endswith(".lock")]
        assert [f.name for f in files] == ["feedback.jsonl", "feedback.jsonl.1", "feedback.jsonl.2"]
        assert all(f.stat().st_size <= 2048 for f in files)
        kept = sum(len(f.read_bytes().splitlines()) for f in files)
        assert 6 <= kept < 30
        first = client.get("/api/feedback", params={"limit": 4}).json()
        assert first["total"] == kept
        assert [i["comment"] for i in first["items"]] == ["第29条", "第28条", "第27条", "第26条"]
        second = client.get("/api/feedback", params={"limit": 4, "offset": 4}).json()
        assert [i["comment"] for i in second["items"]] == ["第25条", "第24条", "第23条", "第22条"]
        last = client.get("/api/feedback", params={"limit": 100, "offset": kept - 1}).json()
        assert [i["comment"] for i in last["items"]] == [f"第{30 - kept}条"]
        error_of(client.get("/api/feedback", params={"limit": 5000}), 422)


def test_feedback_store_without_backups_starts_over_and_filters_by_rating(tmp_path):
    store = FeedbackStore(tmp_path / "fb.jsonl", max_bytes=1024, backups=0)
    for n in range(20):
        store.append({"question": f"问题{n}", "answer": "答", "rating": "up" if n % 2 else "down"})
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == ["fb.jsonl"]
    assert (tmp_path / "fb.jsonl").stat().st_size <= 1024
    total, ups = store.page(0, 100, "up")
    assert ups and all(r["rating"] == "up" for r in ups) and total == len(ups)
    assert ups[0]["question"] == "问题19"  # newest first
    with pytest.raises(TooLargeError, match="4096"):
        store.append({"question": "问", "answer": "答" * 1400, "rating": "up"})
