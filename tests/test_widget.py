"""The chat widget end to end: real headless Chromium (Playwright) against a real uvicorn server.

The API serves an index built from ``seeds/`` with the CLI (cheap ``hash-256`` embedder). A second tiny HTTP
server on another port plays a host site that embeds the widget with one script tag and hostile global CSS; the
API's CORS allow-list names exactly that origin. Expected answers come from the same server over httpx, so the
tests check what the widget shows against what the server said. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from api_server import build_index, free_port, rag_env, sse_events, wait_ready

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
WIDGET_HOST = Path(__file__).with_name("widget_host")  # the host page and the JS the tests run in pages
HOST_PAGE = WIDGET_HOST / "host.html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
API_KEY = "testkey"

QUESTION = "哪些区举办了集体协商比赛？"
FOLLOW_UP = "通州区的比赛有多少支队伍参加？"
REFUSAL_QUESTION = "今天天气怎么样？"
XSS_TITLE = "测试安全标题<script>alert(1)</script>"
XSS_TAG = "<img src=x onerror=alert(1)>"
XSS_PAGE = f"## {XSS_TITLE}\n\n本报讯（记者 测试）近日，安全演练区工会举办了网页安全演练{XSS_TAG}活动。本次网页安全演练共有三十名职工参加。\n"
XSS_QUESTION = "安全演练区工会举办了什么活动？"
ANSWER_TIMEOUT = 60_000

# JS run in the pages: stream recorder, WCAG contrast ratios, the widget's pure helpers; globals snapshot
RECORD_DELTAS = (WIDGET_HOST / "record_deltas.js").read_text(encoding="utf-8")
HELPERS = (WIDGET_HOST / "helpers.js").read_text(encoding="utf-8")
CONTRAST = (WIDGET_HOST / "contrast.js").read_text(encoding="utf-8")
GLOBALS_BEFORE = "window.__testKeysBefore = Object.getOwnPropertyNames(window);"


# servers ---------------------------------------------------------------------------------------------------------
@dataclass
class Api:
    url: str
    client: httpx.Client

    def ask(self, question: str, history: list[dict] | None = None) -> dict:
        res = self.client.post("/api/ask", json={"question": question, "history": history or []})
        res.raise_for_status()
        return res.json()


def shown_answer(res: dict) -> str:
    """The answer as the widget shows it under the large fact line: without the fact it opens with
    (``一等奖[1]。最终，…`` → ``最终，…``)."""
    text, short = res["answer"], res.get("short_answer") or ""
    m = re.match(re.escape(short) + r"(?:\[\d+\])+[。；，]?", text) if short else None
    rest = text[m.end():] if m else ""
    return rest if rest.strip() else text


def _host_handler(api_url: str) -> type[BaseHTTPRequestHandler]:
    page = HOST_PAGE.read_text(encoding="utf-8").replace("{{API}}", api_url).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path.split("?")[0] != "/":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@dataclass
class HostSite:
    """The embedding site: a port reserved first (the API's CORS list needs its origin), served once the API runs."""

    port: int = field(default_factory=free_port)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self, api_url: str) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _host_handler(api_url))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    if site.server:
        site.server.shutdown()
        site.server.server_close()


@pytest.fixture(scope="module")
def api(host_site: HostSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    home = tmp_path_factory.mktemp("widget-api")
    env = rag_env(model="hash-256", index_dir=home / "index", api_keys=API_KEY, cors_origins=host_site.url,
                  rate_limit_per_minute=100_000, feedback_path=home / "feedback.jsonl", progress="false")
    build_index(home / "index", env)
    port = free_port()
    log_path = home / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
                                    "--port", str(port), "--log-level", "warning"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process=process)
        host_site.serve(url)
        with httpx.Client(base_url=url, timeout=60) as client:
            yield Api(url, client)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.returncode not in (0, -15, None):
            print(log_path.read_text(encoding="utf-8", errors="replace")[-3000:])


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make browser)")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    page: object
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.dialogs == [], f"a dialog fired: {self.dialogs}"
        assert self.errors == [], f"uncaught page errors: {self.errors}"


@pytest.fixture
def open_tab(browser) -> Iterator[Callable[..., Tab]]:
    """open_tab(url, width=1280, height=860, init_script=None, permissions=()) -> Tab; any dialog fails the test."""
    tabs: list[Tab] = []
    contexts = []

    def make(url: str, width: int = 1280, height: int = 860, init_script: str | None = None,
             permissions: tuple[str, ...] = ()) -> Tab:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        if permissions:
            context.grant_permissions(list(permissions))
        page = context.new_page()
        tab = Tab(page)
        tabs.append(tab)
        page.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: tab.errors.append(str(e)))
        if init_script:
            page.add_init_script(init_script)
        page.goto(url)
        expect(page.locator(".qa-root")).to_be_attached()
        return tab

    yield make
    for context in contexts:
        context.close()
    for tab in tabs:
        tab.assert_clean()


# helpers -------------------------------------------------------------------------------------------------------
def ask(page, question: str):
    """Type a question, press Enter, wait for the final answer; returns the bot message locator."""
    before = page.locator(".msg.bot").count()
    box = page.locator("#qa-input")
    box.fill(question)
    box.press("Enter")
    bot = page.locator(".msg.bot").nth(before)
    expect(bot).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    return bot


def shadow(page, body: str, arg: object = None):
    """Evaluate ``body`` with ``root`` = the widget's shadow root."""
    return page.evaluate(f"(arg) => {{ const root = document.querySelector('ghnews-qa').shadowRoot; {body} }}", arg)


def active_in_widget(page) -> str:
    """Class of the focused element inside the widget, or "host:<id/tag>" when focus is on the host page."""
    return page.evaluate("""() => {
        const host = document.querySelector('ghnews-qa');
        if (document.activeElement !== host) return 'host:' + (document.activeElement?.id || document.activeElement?.tagName);
        return host.shadowRoot.activeElement?.className || '';
    }""")


def screenshot(page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


# tests ---------------------------------------------------------------------------------------------------------
def test_page_streams_answer_with_citations_article_and_follow_up(api: Api, open_tab) -> None:
    expected = api.ask(QUESTION)
    assert expected["answerable"] and expected["citations"]
    tab = open_tab(api.url + "/", permissions=("clipboard-read", "clipboard-write"))
    page = tab.page

    # starter questions are made from the corpus
    titles = [a["title"] for a in api.client.get("/api/articles", params={"size": 500}).json()["items"]]
    expect(page.locator(".suggestion").first).to_be_visible()
    for text in page.locator(".suggestion").all_text_contents():
        assert text.endswith("是怎么回事？") and any(text.removesuffix("是怎么回事？") in t for t in titles), text

    # the answer streams into the aria-live log, piece by piece, exactly as the server streams it
    # (the pieces come from httpx: Chromium does not reliably keep the body of a streamed fetch for Playwright)
    raw = api.client.post("/api/ask", json={"question": QUESTION, "history": [], "stream": True})
    assert raw.headers["content-type"].startswith("text/event-stream")
    events = sse_events(raw.text)
    sent = [payload["text"] for name, payload in events if name == "delta"]
    done = [payload for name, payload in events if name == "done"][-1]
    assert [name for name, _ in events][0] == "meta"
    assert done["answer"] == expected["answer"] and done["citations"] == expected["citations"]
    assert len(sent) >= 2 and "".join(sent) == expected["answer"]
    page.evaluate(RECORD_DELTAS)
    with page.expect_response(lambda r: r.url.endswith("/api/ask")) as response_info:
        bot = ask(page, QUESTION)
    assert response_info.value.headers["content-type"].startswith("text/event-stream")
    assert response_info.value.request.headers["accept"] == "text/event-stream"
    assert page.evaluate("window.__testDeltas") == sent, "the answer region did not update per streamed piece"
    assert page.locator(".log[aria-live=polite] .msg.bot .answer").count() == 1
    shown = bot.locator(".answer").text_content()
    assert shown == shown_answer(expected)
    if "通州" in expected["answer"]:
        assert "通州" in shown and "昌平" in shown
    assert bot.locator(".cite").count() == len(re.findall(r"\[\d+\]", shown_answer(expected)))

    # sources: one line per article, named by its label (never the file)
    articles = list(dict.fromkeys(c["article_id"] for c in expected["citations"]))
    links = bot.locator(".source-link").all_text_contents()
    assert len(links) == len(articles)
    for link in links:
        assert not re.search(r"\.txt\b", link) and "《" in link

    # [1] opens the citations panel: the article's label, and the chunk with the cited sentence in a <mark>
    first = next(c for c in expected["citations"] if c["n"] == 1)
    same_article = sorted((c for c in expected["citations"] if c["article_id"] == first["article_id"]),
                          key=lambda c: c["start"])
    bot.locator('.cite[data-n="1"]').first.click()
    card = page.locator(".side .citation.active")
    expect(card).to_be_visible()
    assert card.locator('.cite-snippet[data-n="1"] mark').text_content() == first["snippet"]
    assert card.locator(".cite-snippet").count() == len(same_article)
    expect(card.locator(".cite-title")).to_have_text(first["label"])
    expect(card.locator(".cite-file")).to_contain_text(first["source"])  # the file only in the details
    assert page.locator(".side .citation").count() == len(articles)
    screenshot(page, "page-answer-citations.png", full_page=True)

    # "打开原文" shows the whole article with its cited spans marked and scrolled into view
    article = api.client.get(f"/api/articles/{first['article_id']}").json()
    card.locator(".open-article").click()
    marks = page.locator(".side .article-body mark")
    expect(marks.first).to_be_visible()
    assert article["body"][first["start"]:first["end"]] == first["snippet"]
    assert "".join(marks.all_text_contents()) == "".join(c["snippet"] for c in same_article)
    expect(marks.first).to_be_in_viewport()
    expect(page.locator(".side .article-title")).to_have_text(article["title"])
    body_text = "".join(article["body"][s:e] for s, e in article["paragraphs"])
    assert page.locator(".side .article-body").text_content() == body_text
    screenshot(page, "page-article.png")

    # copy puts the answer (and its sources) on the clipboard
    bot.locator(".copy").click()
    expect(bot.locator(".action-status")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()").startswith(expected["answer"])

    # a follow-up sends the conversation so far
    with page.expect_request(lambda r: r.url.endswith("/api/ask") and r.method == "POST") as request_info:
        second = ask(page, FOLLOW_UP)
    sent_body = request_info.value.post_data_json
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": expected["answer"]}]
    assert sent_body["history"] == history and sent_body["question"] == FOLLOW_UP and sent_body["stream"] is True
    assert second.locator(".answer").text_content() == shown_answer(api.ask(FOLLOW_UP, history))

    # a new conversation forgets it
    page.locator(".new-chat").click()
    expect(page.locator(".msg")).to_have_count(0)
    expect(page.locator(".welcome")).to_be_visible()
    expect(page.locator(".side")).to_be_hidden()
    with page.expect_request(lambda r: r.url.endswith("/api/ask") and r.method == "POST") as request_info:
        ask(page, QUESTION)
    assert request_info.value.post_data_json["history"] == []
    tab.assert_clean()


def test_refusal_looks_like_a_refusal_and_feedback_is_posted(api: Api, open_tab) -> None:
    expected = api.ask(REFUSAL_QUESTION)
    assert not expected["answerable"], f"precondition: the server should refuse {REFUSAL_QUESTION!r}"
    tab = open_tab(api.url + "/")
    page = tab.page
    bot = ask(page, REFUSAL_QUESTION)

    expect(bot).to_have_class(re.compile(r"\brefusal\b"))
    expect(bot.locator(".who")).to_have_text("未找到答案")
    assert bot.locator(".cite, .sources").count() == 0
    assert not re.search(r"\[\d+\]", bot.locator(".answer").text_content())
    background = bot.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    related = [r["label"] for r in expected["related"]]
    assert bot.locator(".related-link").all_text_contents() == related
    assert bot.locator("mark").count() == 0

    if related:  # related articles are plain links to the article, nothing highlighted
        bot.locator(".related-link").first.click()
        expect(page.locator(".side .article-title")).to_have_text(expected["related"][0]["title"])
        assert page.locator(".side mark").count() == 0
        page.keyboard.press("Escape")
        expect(page.locator(".side")).to_be_hidden()

    with page.expect_response(lambda r: r.url.endswith("/api/feedback")) as feedback_info:
        bot.locator(".rate-down").click()
    assert feedback_info.value.status == 201
    posted = feedback_info.value.request.post_data_json
    assert posted["rating"] == "down" and posted["question"] == REFUSAL_QUESTION
    assert posted["answer"] == expected["answer"]
    expect(bot.locator(".action-status")).to_have_text("感谢反馈！")
    expect(bot.locator(".rate-down")).to_have_attribute("aria-pressed", "true")
    stored = api.client.get("/api/feedback", headers={"Authorization": f"Bearer {API_KEY}"}).json()["items"]
    assert any(f["question"] == REFUSAL_QUESTION and f["rating"] == "down" for f in stored)
    tab.assert_clean()


def test_rate_limit_and_network_errors_offer_a_retry(api: Api, open_tab) -> None:
    expected = api.ask(QUESTION)
    tab = open_tab(api.url + "/")
    page = tab.page
    calls: list[str] = []

    def flaky(route) -> None:
        calls.append(route.request.url)
        if len(calls) == 1:
            route.fulfill(status=429, headers={"Retry-After": "3", "Content-Type": "application/json"},
                          body=json.dumps({"error": {"code": "rate_limited", "message": "too many requests"}}))
        elif len(calls) == 2:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/api/ask", flaky)
    box = page.locator("#qa-input")
    box.fill(QUESTION)
    box.press("Enter")
    failed = page.locator(".msg.bot").last
    expect(failed).to_have_attribute("data-state", "error")
    expect(failed.locator("[role=alert]")).to_contain_text("频繁")
    failed.get_by_role("button", name="重试这个问题").click()

    failed = page.locator(".msg.bot").last
    expect(failed).to_have_attribute("data-state", "error")
    expect(failed.locator("[role=alert]")).to_contain_text("网络")
    failed.locator(".retry").click()

    answered = page.locator(".msg.bot").last
    expect(answered).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    assert answered.locator(".answer").text_content() == shown_answer(expected)
    expect(page.locator(".msg.error")).to_have_count(0)
    expect(page.locator(".msg.user")).to_have_count(1)
    assert len(calls) == 3
    tab.assert_clean()


def test_pure_helpers_in_the_browser(api: Api, open_tab) -> None:
    page = open_tab(api.url + "/").page
    got = page.evaluate(HELPERS)
    assert got["sse"] == [json.dumps([{"event": "meta", "data": '{"question_used":"q"}'},
                                      {"event": "delta", "data": '{"text":"通州[1]"}'},
                                      {"event": "done", "data": '{"a":\n1}'}], ensure_ascii=False,
                                     separators=(",", ":"))]
    assert got["split"] == '["通州",{"n":1},"和昌平",{"n":2},"。"]'
    assert got["strip"] == "未找到。"
    assert got["snippet"] == "…。<mark>乙。</mark>丙…"
    assert got["astral"] == "😀<mark>工会</mark>。"  # offsets count code points, as Python's str does
    assert got["spans"] == "<mark>甲乙</mark>丙<mark>丁</mark>戊"
    assert got["groups"] == "[[1,3],[2]]"
    assert got["labels"] == ["人民网 · 《甲》", "《乙》", "（无标题报道）"]
    assert got["questions"] == ["甲？", "乙？"]


def test_embed_on_another_origin_is_isolated_and_answers(api: Api, host_site: HostSite, open_tab) -> None:
    expected = api.ask(QUESTION)
    tab = open_tab(host_site.url + "/", init_script=GLOBALS_BEFORE)
    page = tab.page
    launcher = page.locator(".launcher")
    expect(launcher).to_be_visible()  # the host's `button { display: none }` does not reach it

    # the widget leaves the host page alone: no styles, no globals but its namespace
    assert page.evaluate("document.styleSheets.length") == 1
    assert page.evaluate("document.querySelectorAll('style, link[rel=stylesheet]').length") == 1
    host_text = page.locator("#host-text")
    assert host_text.evaluate("el => getComputedStyle(el).color") == "rgb(255, 0, 0)"
    assert host_text.evaluate("el => getComputedStyle(el).fontSize") == "40px"
    expect(page.locator("#host-button")).to_be_hidden()
    added = page.evaluate("Object.getOwnPropertyNames(window).filter(k => !window.__testKeysBefore.includes(k))")
    assert sorted(set(added) - {"__testKeysBefore"}) == ["GhnewsQA"]

    launcher.click()
    expect(page.locator(".panel")).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    with page.expect_request(lambda r: r.url.endswith("/api/ask") and r.method == "POST") as request_info:
        bot = ask(page, QUESTION)
    assert request_info.value.url.startswith(api.url) and not page.url.startswith(api.url)
    assert bot.locator(".answer").text_content() == shown_answer(expected)

    # the host's hostile CSS does not leak in
    style = shadow(page, """
        const pick = (sel) => { const s = getComputedStyle(root.querySelector(sel));
            return {color: s.color, fontSize: s.fontSize, fontFamily: s.fontFamily, letterSpacing: s.letterSpacing,
                    borderStyle: s.borderTopStyle, borderWidth: s.borderTopWidth, display: s.display}; };
        return {answer: pick('.msg.bot .answer p'), bot: pick('.msg.bot'), input: pick('#qa-input'),
                send: pick('.send'), launcher: pick('.launcher'), root: pick('.qa-root')};""")
    assert style["answer"]["color"] == "rgb(31, 35, 40)" and style["answer"]["fontSize"] == "15px"
    assert style["root"]["letterSpacing"] == "normal" and style["root"]["fontFamily"] != "serif"
    assert style["bot"]["borderStyle"] == "solid" and style["bot"]["borderWidth"] == "1px"
    assert style["input"]["fontSize"] == "16px" and style["input"]["borderStyle"] == "solid"
    assert style["send"]["display"] != "none" and style["launcher"]["display"] != "none"
    assert style["send"]["color"] == "rgb(255, 255, 255)"
    # and nothing leaked out while it was open and answering
    assert page.evaluate("document.styleSheets.length") == 1
    assert host_text.evaluate("el => getComputedStyle(el).color") == "rgb(255, 0, 0)"
    screenshot(page, "embed-bubble.png")
    tab.assert_clean()


def test_keyboard_only(api: Api, host_site: HostSite, open_tab) -> None:
    tab = open_tab(host_site.url + "/")
    page = tab.page
    expect(page.locator(".launcher")).to_be_attached()
    for _ in range(10):
        page.keyboard.press("Tab")
        if active_in_widget(page) == "launcher":
            break
    assert active_in_widget(page) == "launcher"
    outline = shadow(page, "const s = getComputedStyle(root.activeElement); return [s.outlineStyle, s.outlineWidth];")
    assert outline[0] == "solid" and float(outline[1].removesuffix("px")) >= 2, "no visible focus outline"

    page.keyboard.press("Enter")
    expect(page.locator(".panel")).to_be_visible()
    assert active_in_widget(page) == "input"
    expect(page.locator(".suggestion").first).to_be_visible()
    screenshot(page, "embed-bubble-welcome.png")
    page.keyboard.type("第一行")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("第二行")
    assert page.locator("#qa-input").input_value() == "第一行\n第二行"
    assert page.locator(".msg").count() == 0
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot")).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    assert page.locator("#qa-input").input_value() == ""

    page.keyboard.press("Tab")  # to the send button, with a visible focus ring
    assert active_in_widget(page) == "send"
    outline = shadow(page, "return getComputedStyle(root.activeElement).outlineStyle;")
    assert outline == "solid"
    labels = shadow(page, "return [...root.querySelectorAll('button')].map(b => b.getAttribute('aria-label'));")
    assert all(label and re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels

    page.keyboard.press("Escape")
    expect(page.locator(".panel")).to_be_hidden()
    assert active_in_widget(page) == "launcher"
    expect(page.locator(".launcher")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")  # reopening keeps the conversation
    expect(page.locator(".msg")).to_have_count(2)
    tab.assert_clean()


def test_text_contrast_meets_wcag_aa(api: Api, open_tab) -> None:
    tab = open_tab(api.url + "/")
    page = tab.page
    expect(page.locator(".suggestion").first).to_be_visible()
    welcome = page.evaluate(CONTRAST, [".title", ".new-chat", ".intro", ".suggest-label", ".suggestion"])
    ask(page, REFUSAL_QUESTION)
    ask(page, QUESTION)
    page.locator('.cite[data-n="1"]').first.click()
    expect(page.locator(".side .citation.active mark")).to_be_visible()
    chat = page.evaluate(CONTRAST, [
        ".msg.user .text", ".msg.bot:not(.refusal) .who", ".msg.bot:not(.refusal) .answer p", ".cite",
        ".sources-label", ".source-link", ".msg.refusal .who", ".msg.refusal .answer p", ".related-label",
        ".related-link", ".side-title", ".cite-n", ".cite-title", ".cite-file summary", ".cite-snippet",
        ".cite-snippet mark", ".open-article"])
    ratios = welcome | chat
    low = {sel: r and round(r, 2) for sel, r in ratios.items() if r is None or r < 4.5}
    assert not low, f"text below WCAG AA 4.5:1 (None = not rendered): {low}"
    tab.assert_clean()


@pytest.fixture
def xss_article(api: Api) -> Iterator[dict]:
    res = api.client.post("/api/articles", params={"source": "xss-test.txt"}, content=XSS_PAGE.encode("utf-8"),
                          headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "text/plain"})
    assert res.status_code == 201, res.text
    (article,) = res.json()["articles"]
    yield article
    api.client.delete(f"/api/articles/{article['id']}", headers={"Authorization": f"Bearer {API_KEY}"})


def test_hostile_document_is_shown_as_text(api: Api, open_tab, xss_article: dict) -> None:
    stored = api.client.get(f"/api/articles/{xss_article['id']}").json()
    assert stored["title"] == XSS_TITLE and XSS_TAG in stored["body"], "precondition: the page kept the markup"
    expected = api.ask(XSS_QUESTION)
    cited = [c for c in expected["citations"] if c["article_id"] == xss_article["id"]]
    assert cited, f"precondition: {XSS_QUESTION!r} should cite the uploaded article"
    tab = open_tab(api.url + "/")
    page = tab.page

    bot = ask(page, XSS_QUESTION)
    assert bot.locator(".answer").text_content() == shown_answer(expected)
    bot.locator(f'.cite[data-n="{cited[0]["n"]}"]').first.click()
    card = page.locator(".side .citation.active")
    expect(card.locator(".cite-title")).to_have_text(f"《{XSS_TITLE}》")
    assert card.locator(f'.cite-snippet[data-n="{cited[0]["n"]}"] mark').text_content() == cited[0]["snippet"]
    card.locator(".open-article").click()
    expect(page.locator(".side .article-title")).to_have_text(XSS_TITLE)
    expect(page.locator(".side .article-body")).to_contain_text(XSS_TAG)

    page.wait_for_timeout(300)  # give a (wrongly) parsed <img onerror> time to fire
    assert shadow(page, "return root.querySelectorAll('img, script').length;") == 0
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    tab.assert_clean()


def test_phone_screen_bubble_is_full_screen(api: Api, host_site: HostSite, open_tab) -> None:
    width, height = 375, 740
    tab = open_tab(host_site.url + "/", width=width, height=height)
    page = tab.page
    page.locator(".launcher").click()
    panel = page.locator(".panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] <= width
    assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height
    assert box["width"] >= width - 1 and box["height"] >= height - 1, "the bubble should fill a phone screen"

    ask(page, QUESTION)
    overflow = shadow(page, "const s = root.querySelector('.scroll'); return s.scrollWidth - s.clientWidth;")
    assert overflow <= 0, "the conversation scrolls sideways on a phone"
    screenshot(page, "phone-375.png")

    page.locator('.cite[data-n="1"]').first.click()
    side = page.locator(".side").bounding_box()
    assert side["x"] >= 0 and side["x"] + side["width"] <= width
    screenshot(page, "phone-375-citations.png")
    page.keyboard.press("Escape")
    expect(page.locator(".side")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    tab.assert_clean()


def watch_failures(page) -> list[str]:
    """Every request of the page that fails or answers >= 400, as "STATUS url"."""
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    return failed


def test_no_failed_request_on_page_load(api: Api, host_site: HostSite, browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    try:
        page = context.new_page()
        failed = watch_failures(page)
        with page.expect_response(lambda r: "/api/suggestions" in r.url) as suggestions:
            page.goto(api.url + "/")
        assert suggestions.value.status == 200
        expect(page.locator(".suggestion").first).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert failed == []

        embed = context.new_page()  # the bubble on another site asks for its starters when first opened
        failed = watch_failures(embed)
        embed.goto(host_site.url + "/")
        embed.locator(".launcher").click()
        expect(embed.locator(".suggestion").first).to_be_visible()
        embed.wait_for_load_state("networkidle")
        assert failed == []
    finally:
        context.close()


FACT_RESPONSE = {
    "answer": "永順鎮總工會代表隊獲得一等獎[1]，共有20支隊伍參賽[2]，決賽在通州舉行[3]。",
    "answerable": True, "question_used": "永順鎮總工會代表隊獲得了幾等獎？", "question_type": "entity",
    "short_answer": "一等獎",
    "citations": [
        {"n": n, "article_id": aid, "chunk_id": f"{aid}:0", "title": title, "label": label, "source": source,
         "text": text, "snippet": snippet, "start": start, "end": start + len(snippet), "score": 1.0}
        for n, aid, title, label, source, text, snippet, start in [
            (1, "a1", "通州區大賽決賽舉辦", "工人日報 · 2025年5月2日 · 《通州區大賽決賽舉辦》", "001_x.txt",
             "永順鎮總工會代表隊獲得一等獎。共有20支隊伍參賽。", "永順鎮總工會代表隊獲得一等獎。", 0),
            (2, "a1", "通州區大賽決賽舉辦", "工人日報 · 2025年5月2日 · 《通州區大賽決賽舉辦》", "001_x.txt",
             "永順鎮總工會代表隊獲得一等獎。共有20支隊伍參賽。", "共有20支隊伍參賽。", 15),
            (3, "b2", "決賽在通州舉行", "《決賽在通州舉行》", "002_y.txt", "決賽在通州舉行。", "決賽在通州舉行。", 0)]],
    "related": [],
}


def test_fact_first_and_one_source_per_article(api: Api, open_tab) -> None:
    """The widget's rendering of a typed answer, from a fixed response (Traditional, as the server returns it)."""
    tab = open_tab(api.url + "/")
    page = tab.page
    page.route("**/api/ask", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(FACT_RESPONSE, ensure_ascii=False)))
    bot = ask(page, "永順鎮總工會代表隊獲得了幾等獎？")
    expect(bot.locator(".fact")).to_have_text("一等獎")
    order = bot.evaluate("el => [...el.children].map(c => c.className).filter(c => /fact|answer/.test(c))")
    assert order == ["fact", "answer evidence"]  # the fact above the cited sentences
    assert bot.locator(".answer").text_content() == FACT_RESPONSE["answer"]  # shown as returned, not converted
    assert bot.locator(".cite").count() == 3
    assert bot.locator(".source-link").all_text_contents() == [
        "[1][2] 工人日報 · 2025年5月2日 · 《通州區大賽決賽舉辦》", "[3] 《決賽在通州舉行》"]

    bot.locator('.cite[data-n="2"]').click()
    cards = page.locator(".side .citation")
    expect(cards).to_have_count(2)
    active = page.locator(".side .citation.active")
    assert active.locator(".cite-snippet mark").all_text_contents() == ["永順鎮總工會代表隊獲得一等獎。", "共有20支隊伍參賽。"]
    expect(active.locator('.cite-snippet.active[data-n="2"]')).to_have_count(1)
    assert "001_x.txt" not in active.locator(".cite-title").text_content()
    expect(active.locator(".cite-file")).to_contain_text("001_x.txt")

    no_fact = {**FACT_RESPONSE, "short_answer": None}  # null (or absent) short_answer: no fact line
    page.unroute("**/api/ask")
    page.route("**/api/ask", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(no_fact, ensure_ascii=False)))
    page.keyboard.press("Escape")
    second = ask(page, "再問一次")
    expect(second.locator(".fact")).to_be_hidden()
    assert second.locator(".answer").text_content() == FACT_RESPONSE["answer"]

    # an answer that opens with its fact ("一等獎[1]。…") does not repeat it under the large fact line
    led = {**FACT_RESPONSE, "answer": "一等獎[1]。永順鎮總工會代表隊獲得一等獎[1]。"}
    page.unroute("**/api/ask")
    page.route("**/api/ask", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(led, ensure_ascii=False)))
    page.keyboard.press("Escape")
    third = ask(page, "第三次")
    expect(third.locator(".fact")).to_have_text("一等獎")
    assert third.locator(".answer").text_content() == "永順鎮總工會代表隊獲得一等獎[1]。"
    tab.assert_clean()
