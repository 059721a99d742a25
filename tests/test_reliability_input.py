"""Bad input through the real server: every malformed, hostile or odd request gets a clear 4xx in the one error
shape (or, when the input is odd but legitimate, an answer), and never a 500.

Runs against the shared subprocess server (``api_server.shared_server``); nothing here writes to its index.
"""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import quote

import httpx
import pytest
from api_server import error_of

QUESTION = "哪些区举办了集体协商比赛？"
ASK_LIKE = ("/api/ask", "/api/search", "/v1/chat/completions")


def body_for(path: str, text: object, **extra: object) -> dict:
    """The same question as each endpoint wants it."""
    if path == "/api/search":
        return {"query": text, **extra}
    if path == "/v1/chat/completions":
        return {"messages": [{"role": "user", "content": text}], **extra}
    return {"question": text, **extra}


def post_raw(client: httpx.Client, path: str, raw: bytes, ctype: str = "application/json") -> httpx.Response:
    return client.post(path, content=raw, headers={"Content-Type": ctype})


# -- questions ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ASK_LIKE)
@pytest.mark.parametrize(("text", "why"), [
    ("", "empty"),
    ("   \n\t\u3000 ", "whitespace only (ASCII and the ideographic space)"),
    ("工" * 100_000, "100 000 characters (about 300 KB of UTF-8)"),
    ("a" * 501, "one character over RAG_MAX_QUESTION_CHARS"),
    ("\u200b", "a zero-width space"),
    ("\u200b\u200c\u200d\ufeff\u2060", "zero-width characters, a BOM and a word joiner"),
    ("\x00", "NUL"),
    ("\x01\x02\x03\x1b\x7f", "nothing but control characters"),
    ("\u00ad\u202e \u200b\n\ufe0f", "a soft hyphen, a bidi override, a variation selector and spaces"),
])
def test_unusable_questions_are_400(client, path, text, why):
    err = error_of(client.post(path, json=body_for(path, text)), 400)
    assert err["code"] == "bad_request" and ("empty" in err["message"] or "limit is 500" in err["message"]), why


@pytest.mark.parametrize("path", ASK_LIKE)
@pytest.mark.parametrize("k", [0, -1, 51, 10_000, 10**30])
def test_k_out_of_range_is_400(client, path, k):
    err = error_of(client.post(path, json=body_for(path, QUESTION, k=k)), 400)
    assert "between 1 and 50" in err["message"]


@pytest.mark.parametrize("path", ASK_LIKE)
def test_whole_float_k_is_taken_as_an_integer(client, path):
    """JSON Schema calls 3.0 an integer; the API agrees (and still refuses 3.5, "3" and true)."""
    assert client.post(path, json=body_for(path, QUESTION, k=3.0)).status_code == 200


@pytest.mark.parametrize("path", ASK_LIKE)
@pytest.mark.parametrize("extra", [{"k": "5"}, {"k": 3.5}, {"k": True}, {"k": [5]}, {"stream": 0},
                                   {"stream": "yes"}, {"filters": "密云区"}, {"filters": {"districts": "密云区"}}])
def test_wrong_types_are_422(client, path, extra):
    assert error_of(client.post(path, json=body_for(path, QUESTION, **extra)), 422)["code"] == "validation_error"


@pytest.mark.parametrize("path", ["/api/ask", "/api/search"])
@pytest.mark.parametrize("text", [5, None, ["工会"], {"q": "工会"}, True])
def test_question_of_the_wrong_type_is_422(client, path, text):
    assert error_of(client.post(path, json=body_for(path, text)), 422)["code"] == "validation_error"


@pytest.mark.parametrize("path", ASK_LIKE)
def test_unknown_fields_are_422_and_named(client, path):
    err = error_of(client.post(path, json=body_for(path, QUESTION, qestion="typo")), 422)
    assert "unknown field 'qestion'" in err["message"]


@pytest.mark.parametrize("path", [*ASK_LIKE, "/api/feedback"])
@pytest.mark.parametrize("raw", [
    b'{"question": "abc"', b"{'question': 'abc'}", b'{"question": "abc",}', b"{" * 50_000,
    b"[" * 100_000 + b"]" * 100_000, '{"question": "工会"}'.encode("gbk"), b'{"question": "\xff\xfe"}',
])
def test_unparsable_json_is_400(client, path, raw):
    if path == "/api/feedback" and len(raw) > 64 * 1024:  # feedback bodies over 64 KB are refused unread
        assert error_of(post_raw(client, path, raw), 413)["code"] == "payload_too_large"
        return
    err = error_of(post_raw(client, path, raw), 400)
    assert "JSON" in err["message"]


@pytest.mark.parametrize("path", ASK_LIKE)
@pytest.mark.parametrize("raw", [b"null", b"[]", b'"question"', b"42", b""])
def test_json_that_is_not_an_object_is_422(client, path, raw):
    err = error_of(post_raw(client, path, raw), 422)
    assert "object" in err["message"] or "dictionary" in err["message"]


@pytest.mark.parametrize("path", [*ASK_LIKE, "/api/feedback"])
def test_a_body_that_is_not_json_is_415(client, path):
    assert error_of(post_raw(client, path, b"question=abc", "application/x-www-form-urlencoded"), 415)[
        "code"] == "unsupported_media_type"


@pytest.mark.parametrize(("path", "raw"), [
    ("/api/ask", rb'{"question": "\ud800"}'),
    ("/api/ask", rb'{"question": "abc\udfff"}'),
    ("/api/search", rb'{"query": "\udc00"}'),
    ("/v1/chat/completions", rb'{"messages": [{"role": "user", "content": "\ud83d"}]}'),
    ("/v1/chat/completions", rb'{"messages": [{"role": "user", "content": [{"type": "text", "text": "\ud83d"}]}]}'),
    ("/api/feedback", rb'{"question": "q", "answer": "a", "rating": "up", "citations": [{"n": 1, "article_id": "\ud800"}]}'),
    ("/api/feedback", rb'{"question": "q", "answer": "a", "rating": "up", "comment": "\udfff"}'),
])
def test_lone_surrogates_are_422_not_500(client, path, raw):
    """JSON may escape half a surrogate pair; such a string is not text and used to crash the embedder (500)."""
    err = error_of(post_raw(client, path, raw), 422)
    assert "valid Unicode" in err["message"]


@pytest.mark.parametrize("path", ASK_LIKE)
@pytest.mark.parametrize("text", [
    "😀工会举办了什么活动🎉？",  # emoji, including astral ones
    "工会 union ユニオン профсоюз نقابة 노동조합 2024年？",  # mixed scripts
    "\u202e工会\u200b举办\u200d了什么活动\ufeff？",  # bidi override, zero-width characters, BOM
    "工会举办了什么\x00活动\x07？\x1b[31m",  # control characters
    "Ｗｏｒｋｅｒｓ　工会？",  # full-width forms
])
def test_odd_but_legitimate_questions_are_answered(client, path, text):
    response = client.post(path, json=body_for(path, text))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")


def test_an_escaped_surrogate_pair_is_one_emoji_and_fine(client):
    response = post_raw(client, "/api/ask", rb'{"question": "\ud83d\ude00\u5de5\u4f1a"}')
    assert response.status_code == 200 and response.json()["question_used"] == "😀工会"


def test_long_history_turns_are_400(client):
    """An earlier user turn is an earlier question, so it has the question's limit (it is folded into follow-ups)."""
    history = [{"role": "user", "content": "0" * 20_000}]
    started = time.perf_counter()
    err = error_of(client.post("/api/ask", json={"question": "0", "history": history}), 400)
    assert "history turn 1" in err["message"] and time.perf_counter() - started < 5
    messages = [*history, {"role": "user", "content": "它在哪里？"}]
    error_of(client.post("/v1/chat/completions", json={"messages": messages}), 400)
    # long earlier answers are fine
    answered = [{"role": "user", "content": "密云区工匠学院"}, {"role": "assistant", "content": "工会" * 5_000}]
    assert client.post("/api/ask", json={"question": "它在哪里？", "history": answered}).status_code == 200


def test_chat_without_a_user_message_is_400(client):
    for messages in ([{"role": "system", "content": "你好"}], [{"role": "assistant", "content": "你好"}]):
        assert "no user message" in error_of(client.post("/v1/chat/completions", json={"messages": messages}),
                                             400)["message"]
    error_of(client.post("/v1/chat/completions", json={"messages": []}), 422)


def test_json_body_over_a_megabyte_is_413(client):
    big = {"question": QUESTION, "history": [{"role": "assistant", "content": "工" * 19_000}] * 50}
    assert error_of(client.post("/api/ask", json=big), 413)["code"] == "payload_too_large"


# -- query parameters ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("params", [{"page": 0}, {"page": "abc"}, {"size": 0}, {"size": 100_000}, {"offset": -1},
                                    {"limit": 0}, {"limit": 501}])
def test_bad_paging_is_422(client, params):
    error_of(client.get("/api/articles", params=params), 422)


@pytest.mark.parametrize("params", [{"offset": 10**12}, {"page": 10**30}])
def test_far_pages_are_empty_not_errors(client, params):
    body = client.get("/api/articles", params=params).json()
    assert body["items"] == [] and body["total"] > 0


# -- article ids --------------------------------------------------------------------------------------------

UNICODE_TRICK_IDS = [
    "9d99fd9dcb55520\u0430",  # Cyrillic а for a
    "9d99fd9dcb55520a\u200b",  # zero-width space
    "\u202e9d99fd9dcb55520a",  # right-to-left override
    "9d99fd9dcb55520a\u0301",  # combining acute accent
    "９ｄ９９ｆｄ９ｄｃｂ５５５２０ａ",  # full-width
    "9d99fd9dcb55520\u1d43",  # modifier letter small a
    "٩d99fd9dcb55520a",  # Arabic-Indic digit nine
    "9d99fd9dcb55520a\x00",  # NUL
    "9d99fd9dcb55520a\n",  # newline
    "9d99fd9dcb55520ａ",  # one full-width letter
]
TRAVERSAL_IDS = ["..", "../..", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "....//....//etc",
                 "..%252f..%252f", "%c0%ae%c0%ae%2f", "..;/", "~root", "*", "%00", "index.html", "CURRENT"]


def raw_request(base_url: str, method: str, path: str, headers: dict[str, str]) -> tuple[int, str, str]:
    """Send ``path`` exactly as given (httpx would resolve ``..`` segments itself); follow one redirect."""
    url = httpx.URL(base_url)
    for _ in range(2):
        conn = http.client.HTTPConnection(url.host, url.port, timeout=30)
        try:
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            status, ctype, body = response.status, response.getheader("content-type", ""), response.read()
            location = response.getheader("location")
        finally:
            conn.close()
        if not (300 <= status < 400 and location):
            break
        path = httpx.URL(location).raw_path.decode("ascii")
    return status, ctype, body.decode("utf-8", "replace")


@pytest.mark.parametrize("bad_id", UNICODE_TRICK_IDS + TRAVERSAL_IDS)
def test_hostile_article_ids_are_4xx(server, auth, bad_id):
    path = "/api/articles/" + quote(bad_id, safe="%/;.~*")
    for method, headers in (("GET", {}), ("DELETE", auth)):
        status, ctype, body = raw_request(server.url, method, path, headers)
        assert 400 <= status < 500, (method, path, status, body[:200])
        assert ctype.startswith("application/json") and set(json.loads(body)) == {"error"}, body[:200]


def test_an_id_of_the_right_shape_that_does_not_exist_is_404(client, auth):
    assert error_of(client.get("/api/articles/ffffffffffffffff"), 404)["code"] == "not_found"
    assert error_of(client.delete("/api/articles/ffffffffffffffff", headers=auth), 404)["code"] == "not_found"


# -- regressions: bugs this module found in rag/ (fixed there) ---------------------------------------------------

def test_numeric_check_is_linear_in_the_question_length():
    """rag/answer/refusal.py's numeric pattern used to backtrack quadratically on long digit runs: with the follow-up
    rewrite folding a 20 000-character earlier turn into the question, one /api/ask cost ~20 s of CPU."""
    from rag.answer.refusal import missing_numbers

    started = time.perf_counter()
    missing_numbers("0" * 6_000, [])
    assert time.perf_counter() - started < 0.3
