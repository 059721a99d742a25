"""Security: keys (constant-time, required for every write), rate limits per key and per IP (which a forged
``X-Forwarded-For`` does not dodge), body size limits, the CORS allow-list, no secrets in the server log, and hostile
document content never rendered as HTML, by the API or by the widget in a real browser.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_server import ROOT, ThreadServer, build_index, error_of, free_port, rag_env, wait_ready

from api import deps
from api.main import create_app
from embeddings.hashing import HashEmbedder
from rag import Library, Settings

KEY = "sec-key-3f9a1c7e5b2d4f60"
OTHER_KEY = "sec-key-other-8e7d6c5b"
ALLOWED = "https://news.example"
PWNED = "window.__pwned"  # set by any hostile payload that runs

# hostile titles are short enough (4..28 characters) for the widget's starter questions
HOSTILE_TITLES = ["<img src=x onerror=__pwned=1>", "<svg onload=__pwned=2>工会", "<script>__pwned=3</script>",
                  "<iframe srcdoc='<b>'>职工书屋"]
HOSTILE_BODY = ("近日，<img src=x onerror=__pwned=4>安全演练区工会举办了网页安全演练<script>__pwned=5</script>活动。"
                "<a href=\"javascript:__pwned=6\">点此</a>本次网页安全演练共有三十名职工参加。")
HOSTILE_SOURCE = "<svg onload=__pwned=7>.txt"


def hostile_page() -> str:
    articles = [f"## {title}\n\n本报讯（记者 测试）{HOSTILE_BODY}第{n}场演练圆满结束。\n"
                for n, title in enumerate(HOSTILE_TITLES, start=1)]
    return "\n".join(articles)


def settings_for(index_dir: Path, **overrides) -> Settings:
    values = {"index_dir": index_dir, "model": "hash-256", "api_keys": [KEY, OTHER_KEY], "progress": False,
              "feedback_path": index_dir.parent / "feedback.jsonl", "cors_origins": [ALLOWED],
              "rate_limit_per_minute": 100_000, "max_upload_bytes": 100_000} | overrides
    return Settings(**values)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Library:
    lib = Library(settings_for(tmp_path_factory.mktemp("security") / "index"), HashEmbedder())
    lib.ingest_paths([ROOT / "seeds"])
    return lib


def serve(library: Library, **overrides) -> ThreadServer:
    return ThreadServer(create_app(settings_for(library.index_dir, **overrides), library))


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# -- keys ---------------------------------------------------------------------------------------------------

def test_keys_are_compared_with_hmac_compare_digest_only():
    """By inspection: the key check calls hmac.compare_digest and never compares the token with == or ``in``."""
    source = textwrap.dedent(inspect.getsource(deps.match_key) + inspect.getsource(deps.get_caller))
    assert "hmac.compare_digest" in source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            assert not names & {"token", "given", "key", "keys"} or all(
                isinstance(op, ast.Is | ast.IsNot) for op in node.ops), ast.unparse(node)


def test_every_configured_key_is_compared(monkeypatch):
    """By behaviour: no early exit, so the time taken does not tell which key (or how much of one) matched."""
    calls: list[tuple[bytes, bytes]] = []
    real = deps.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(deps.hmac, "compare_digest", spy)
    keys = ["alpha-key", "beta-key", "gamma-key"]
    assert deps.match_key("alpha-key", keys) == 0
    assert deps.match_key("nope", keys) is None
    assert deps.match_key("gamma-key", keys) == 2
    assert len(calls) == 9 and all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)


@pytest.mark.parametrize("header", [
    None, "", "Bearer", f"Basic {KEY}", f"Token {KEY}", KEY, f"Bearer {KEY[:-1]}", f"Bearer {KEY}x",
    f"Bearer {KEY.upper()}", f"Bearer  {KEY} extra", f"Bearer {KEY},{OTHER_KEY}", "Bearer " + "x" * 5000,
])
def test_writes_need_a_valid_key(library, header):
    headers = {} if header is None else {"Authorization": header}
    with serve(library) as server, httpx.Client(base_url=server.url, headers=headers) as client:
        responses = [
            client.post("/api/articles", content=hostile_page().encode(), headers={"Content-Type": "text/plain"}),
            client.delete("/api/articles/0123456789abcdef"),
            client.get("/api/feedback"),
        ]
        for response in responses:
            err = error_of(response, 401)
            assert response.headers["www-authenticate"] == "Bearer"
            sent = (header or "").split(" ", 1)[-1].strip()
            assert KEY not in response.text and (len(sent) < 8 or sent not in err["message"])  # never echoed
    assert len(library.index.articles) == 31


def test_a_valid_key_may_write(library):
    with serve(library) as server, httpx.Client(base_url=server.url, headers=bearer(OTHER_KEY)) as client:
        assert error_of(client.delete("/api/articles/0123456789abcdef"), 404)["code"] == "not_found"
        assert client.get("/api/feedback").status_code == 200


def test_the_openapi_schema_marks_writes_as_needing_the_key(library):
    with serve(library) as server:
        schema = httpx.get(f"{server.url}/openapi.json").json()
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["apiKey"][
            "description"]}
    secured = {(path, method) for path, ops in schema["paths"].items() for method, op in ops.items()
               if op.get("security")}
    assert secured == {("/api/articles", "post"), ("/api/articles/{article_id}", "delete"),
                       ("/api/feedback", "get")}


# -- rate limits ----------------------------------------------------------------------------------------------

def client_from(server: ThreadServer, ip: str, **kwargs) -> httpx.Client:
    """A client whose connections come from ``ip`` (any 127.x.y.z address is this machine)."""
    return httpx.Client(base_url=server.url, transport=httpx.HTTPTransport(local_address=ip), **kwargs)


def test_rate_limits_are_per_ip_and_per_key(library):
    with serve(library, rate_limit_per_minute=4) as server, client_from(server, "127.0.0.1") as first, \
            client_from(server, "127.0.0.2") as second, client_from(server, "127.0.0.3") as third:
        for _ in range(4):
            assert first.post("/api/search", json={"query": "工会"}).status_code == 200
        limited = first.post("/api/search", json={"query": "工会"})
        assert error_of(limited, 429)["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
        # a forged X-Forwarded-For does not buy a new budget (no proxy is trusted; from 127.0.0.1, which uvicorn
        # itself trusts, see test_security_probe.py); nor does a made-up key
        assert second.post("/api/search", json={"query": "工会"}).status_code == 200  # another IP: own budget
        for _ in range(3):
            second.post("/api/search", json={"query": "工会"})
        for headers in ({"X-Forwarded-For": "203.0.113.9"}, {"X-Real-IP": "203.0.113.9"}, bearer("made-up")):
            assert second.post("/api/search", json={"query": "工会"}, headers=headers).status_code == 429
        # each valid key has its own budget, wherever it comes from
        for _ in range(4):
            assert third.get("/api/articles", headers=bearer(KEY)).status_code == 200
        assert first.get("/api/articles", headers=bearer(KEY)).status_code == 429
        assert first.get("/api/articles", headers=bearer(OTHER_KEY)).status_code == 200
        assert third.get("/healthz").status_code == 200  # probes are never limited


# -- sizes ----------------------------------------------------------------------------------------------------

def test_request_size_limits(library):
    with serve(library) as server, httpx.Client(base_url=server.url, headers=bearer(KEY), timeout=60) as client:
        big_json = json.dumps({"question": "工会", "history": [{"role": "assistant", "content": "工" * 19_000}] * 60})
        for path in ("/api/ask", "/api/search", "/v1/chat/completions", "/api/feedback"):
            declared = client.post(path, content=big_json.encode(), headers={"Content-Type": "application/json"})
            assert error_of(declared, 413)["code"] == "payload_too_large"

            def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
                yield b'{"question": "'
                for _ in range(300):
                    yield "工".encode() * 1500
                yield b'"}'

            streamed = client.post(path, content=chunks(), headers={"Content-Type": "application/json"})
            assert error_of(streamed, 413)["code"] == "payload_too_large"
        upload = client.post("/api/articles", content=b"x" * 200_000, headers={"Content-Type": "text/plain"})
        assert error_of(upload, 413)["code"] == "payload_too_large"
        two_files = client.post("/api/articles", files=[("file", ("a.txt", b"a")), ("file", ("b.txt", b"b"))])
        assert error_of(two_files, 400)
    assert len(library.index.articles) == 31


# -- CORS -----------------------------------------------------------------------------------------------------

def test_cors_allows_only_the_listed_origins(library):
    with serve(library) as server, httpx.Client(base_url=server.url) as client:
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        ok = client.options("/api/ask", headers={"Origin": ALLOWED, **preflight})
        assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ALLOWED
        assert "access-control-allow-credentials" not in ok.headers
        for evil in ("https://evil.example", "https://news.example.evil.example", "null", "https://news.example:444"):
            refused = client.options("/api/ask", headers={"Origin": evil, **preflight})
            assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
            simple = client.post("/api/search", json={"query": "工会"}, headers={"Origin": evil})
            assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers
        allowed = client.post("/api/search", json={"query": "工会"}, headers={"Origin": ALLOWED})
        assert allowed.headers["access-control-allow-origin"] == ALLOWED


# -- no secrets in logs ---------------------------------------------------------------------------------------

def test_keys_never_reach_the_server_log(tmp_path):
    """A real server at debug level with its access log: use the key, misuse it, and grep the log for it."""
    near_miss = KEY[:-1] + "X"
    env = rag_env(model="hash-256", index_dir=tmp_path / "index", api_keys=f"{KEY},{OTHER_KEY}",
                  feedback_path=tmp_path / "fb.jsonl", progress="false", rate_limit_per_minute=8)
    build_index(tmp_path / "index", env)
    port = free_port()
    log_path = tmp_path / "server.log"
    # every logger at DEBUG (the app's, uvicorn's with its access log, and the libraries'), all into one file
    log_config = tmp_path / "logging.json"
    log_config.write_text(json.dumps({
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
        "handlers": {"out": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stdout"}},
        "root": {"level": "DEBUG", "handlers": ["out"]}}), encoding="utf-8")
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port",
                                    str(port), "--log-config", str(log_config), "--log-level", "debug",
                                    "--access-log"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process=process)
        with httpx.Client(base_url=url, timeout=60) as client:
            added = client.post("/api/articles", content=hostile_page().encode(),
                                headers={**bearer(KEY), "Content-Type": "text/plain"})
            assert added.status_code == 201, added.text
            for article_id in added.json()["added"]:
                assert client.delete(f"/api/articles/{article_id}", headers=bearer(KEY)).status_code == 200
            assert client.get("/api/feedback", headers=bearer(OTHER_KEY)).status_code == 200
            for header in (bearer(near_miss), {"Authorization": f"Basic {KEY}"}, {"Authorization": KEY}):
                response = client.get("/api/feedback", headers=header)
                assert response.status_code in (401, 429) and KEY not in response.text
            for _ in range(10):  # and past the rate limit, with the key
                client.get("/api/articles", headers=bearer(KEY))
    finally:
        process.terminate()
        process.wait(timeout=15)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    assert "POST /api/articles" in text and "429" in text, "the access log did not record the requests"
    assert "index saved" in text and "2 API key(s)" in text, "the app's own log lines are missing"
    for secret in (KEY, OTHER_KEY, near_miss, KEY[:12]):
        assert secret not in text, f"{secret!r} is in the server log"


# -- hostile content is never HTML ----------------------------------------------------------------------------

def test_no_endpoint_renders_document_content_as_html(library, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(library.index_dir, index_dir)
    lib = Library(settings_for(index_dir), HashEmbedder())
    with ThreadServer(create_app(settings_for(index_dir), lib)) as server, \
            httpx.Client(base_url=server.url, timeout=60) as client:
        up = client.post("/api/articles", params={"source": HOSTILE_SOURCE}, content=hostile_page().encode(),
                         headers={**bearer(KEY), "Content-Type": "text/plain"})
        assert up.status_code == 201, up.text
        ids = up.json()["added"]
        assert up.headers["content-type"] == "application/json"
        hostile = [*HOSTILE_TITLES, "<img src=x onerror=__pwned=4>", "<script>__pwned=5</script>", "<svg onload"]

        responses = {
            "search": client.post("/api/search", json={"query": "安全演练区工会举办了什么活动"}),
            "ask": client.post("/api/ask", json={"question": "安全演练区工会举办了什么活动？"}),
            "ask-stream": client.post("/api/ask", json={"question": "安全演练区工会举办了什么活动？", "stream": True}),
            "chat": client.post("/v1/chat/completions",
                                json={"messages": [{"role": "user", "content": "安全演练区工会举办了什么活动？"}]}),
            "list": client.get("/api/articles", params={"source": HOSTILE_SOURCE}),
            "article": client.get(f"/api/articles/{ids[0]}"),
            "404 echo": client.get("/<script>__pwned=8</script>"),
            "400 echo": client.get("/api/articles/<img src=x onerror=__pwned=9>"),
            "model echo": client.get("/v1/models/<script>__pwned=10</script>"),
            "delete": client.delete(f"/api/articles/{ids[-1]}", headers=bearer(KEY)),
        }
        for name, response in responses.items():
            ctype = response.headers["content-type"]
            assert not ctype.startswith("text/html"), name
            if name == "ask-stream":
                assert ctype.startswith("text/event-stream")
            else:
                assert ctype == "application/json", (name, ctype)
        assert any(t in responses["article"].text for t in HOSTILE_TITLES)  # kept as data, verbatim, in JSON

        for path in ("/", "/docs", "/redoc", "/widget.js", "/static/qa-app.js", "/static/widget.css"):
            page = client.get(path)
            assert page.status_code == 200, path
            for payload in hostile:
                assert payload not in page.text, (path, payload)
            if page.headers["content-type"].startswith("text/html"):
                assert not re.search(r"__pwned|安全演练", page.text), path


# -- the widget in a real browser -----------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory) -> Iterator[str]:
    """A server whose whole corpus is hostile, so the starter questions (made from titles) are hostile too."""
    home = tmp_path_factory.mktemp("hostile")
    pages = home / "pages"
    pages.mkdir()
    (pages / HOSTILE_SOURCE).write_text(hostile_page(), encoding="utf-8")
    env = rag_env(model="hash-256", index_dir=home / "index", api_keys=KEY, feedback_path=home / "fb.jsonl",
                  progress="false", rate_limit_per_minute=100_000)
    run = subprocess.run([sys.executable, "-m", "rag", "--index-dir", str(home / "index"), "-q", "ingest",
                          str(pages / HOSTILE_SOURCE)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0 and f"{len(HOSTILE_TITLES)} added" in run.stdout, run.stdout + run.stderr
    port = free_port()
    with open(home / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
                                    "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(f"http://127.0.0.1:{port}", process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.mark.slow
@pytest.mark.browser
def test_widget_shows_hostile_titles_sources_and_related_links_as_text(hostile_server):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make browser)")
    expect = playwright_api.expect
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="zh-CN")
            dialogs: list[str] = []
            errors: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(hostile_server + "/")

            # starter questions are made from the (hostile) titles
            suggestions = page.locator(".suggestion")
            expect(suggestions.first).to_be_visible()
            texts = suggestions.all_text_contents()
            assert texts and all(any(t in s for t in HOSTILE_TITLES) for s in texts), texts

            # ask through a suggestion: answer, citations (hostile title and source), the article itself
            suggestions.first.click()
            bot = page.locator(".msg.bot").first
            expect(bot).to_have_attribute("data-state", "done", timeout=60_000)
            assert bot.locator(".cite").count() >= 1, "the hostile articles should be cited"
            bot.locator(".cite").first.click()
            card = page.locator(".side .citation.active")
            expect(card.locator(".cite-file")).to_contain_text(HOSTILE_SOURCE)  # the file, in the card's details
            expect(card.locator(".cite-title")).to_have_text(re.compile("|".join(map(re.escape, HOSTILE_TITLES))))
            card.locator(".open-article").click()
            expect(page.locator(".side .article-body")).to_contain_text("<script>__pwned=5</script>")
            page.keyboard.press("Escape")

            # a refusal (in a new conversation) lists related articles, hostile titles, as links
            page.locator(".new-chat").click()
            box = page.locator("#qa-input")
            box.fill("今天天气怎么样？")
            box.press("Enter")
            refusal = page.locator(".msg.bot").first
            expect(refusal).to_have_attribute("data-state", "done", timeout=60_000)
            expect(refusal).to_have_class(re.compile(r"\brefusal\b"))
            related = refusal.locator(".related-link").all_text_contents()
            assert related and all(any(t in r for t in HOSTILE_TITLES) for r in related), related
            refusal.locator(".related-link").first.click()
            expect(page.locator(".side .article-title")).to_have_text(re.compile("|".join(map(re.escape,
                                                                                              HOSTILE_TITLES))))

            page.wait_for_timeout(300)  # give a (wrongly) parsed payload time to run
            assert page.evaluate(f"{PWNED}") is None, "a payload from the documents ran"
            counts = page.evaluate("""() => {
                const root = document.querySelector('ghnews-qa')?.shadowRoot || document;
                const all = [...root.querySelectorAll('*'), ...document.querySelectorAll('*')];
                return {
                    tags: all.filter(e => ['IMG', 'IFRAME', 'OBJECT', 'EMBED'].includes(e.tagName)).length,
                    scripts: [...root.querySelectorAll('script')].length,
                    handlers: all.filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
                    jsLinks: all.filter(e => (e.getAttribute('href') || '').trim().toLowerCase()
                                            .startsWith('javascript:')).length,
                };
            }""")
            assert counts == {"tags": 0, "scripts": 0, "handlers": 0, "jsLinks": 0}, counts
            assert dialogs == [] and errors == [], (dialogs, errors)
        finally:
            browser.close()
