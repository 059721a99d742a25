"""End-to-end tests of the HTTP API against a real uvicorn server (subprocess) over the seeded index.

The server uses the cheap ``hash-256`` embedder; what is tested here is the HTTP contract, not retrieval quality.
Articles and uploads are in ``test_api_articles.py``; behaviour that needs other settings (loading, rate limits,
no keys, closed reads) in ``test_api_settings.py``.
"""

from __future__ import annotations

import json
import re

import pytest
from api_server import ALLOWED_ORIGIN, API_KEYS, error_of, sse_events

MARKER = re.compile(r"\[(\d+)\]")


# -- health, docs, static ------------------------------------------------------------------------------------

def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_the_loaded_index(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["articles"] > 20 and body["chunks"] >= body["articles"]
    assert body["model"] == "hash-256" and body["dim"] == 256


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/search", "/api/ask", "/v1/chat/completions", "/api/articles", "/api/articles/{article_id}",
                 "/api/feedback", "/healthz", "/readyz"):
        assert path in paths


def test_static_files(client):
    from api.routes.site import STATIC_DIR

    for path, name in (("/", "index.html"), ("/widget.js", "widget.js"), ("/static/widget.js", "widget.js")):
        response = client.get(path)
        if (STATIC_DIR / name).exists():
            assert response.status_code == 200
            assert response.content == (STATIC_DIR / name).read_bytes()
        else:
            error_of(response, 404)
    error_of(client.get("/static/no-such-file.js"), 404)


# -- search -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("retriever", ["hybrid", "bm25", "dense"])
def test_search_returns_hits(client, retriever):
    body = client.post("/api/search", json={"query": "密云区工匠学院", "k": 3, "retriever": retriever}).json()
    assert 1 <= len(body["hits"]) <= 3
    for hit in body["hits"]:
        assert set(hit) == {"chunk_id", "article_id", "title", "text", "score", "source", "start", "end"}
        assert hit["chunk_id"].startswith(hit["article_id"] + ":")
        assert hit["end"] - hit["start"] == len(hit["text"])


def test_search_default_k_and_bm25_finds_the_title(client):
    hits = client.post("/api/search", json={"query": "密云区工匠学院成立", "retriever": "bm25"}).json()["hits"]
    assert len(hits) == 5
    assert hits[0]["title"] == "密云区工匠学院成立"


def test_search_filters(client):
    source = "003_8172d0507c8e507c.txt"
    body = client.post("/api/search", json={"query": "工会", "k": 10, "filters": {"sources": [source]}}).json()
    assert body["hits"] and {h["source"] for h in body["hits"]} == {source}
    districts = client.post("/api/search", json={"query": "工会", "k": 10,
                                                  "filters": {"districts": ["密云区"]}}).json()["hits"]
    assert districts and all("密云" in h["text"] or "密云" in h["title"] for h in districts)


# -- ask ----------------------------------------------------------------------------------------------------

def check_answer(body: dict) -> None:
    assert set(body) == {"answer", "answerable", "question_used", "question_type", "citations", "related",
                         "short_answer"}
    assert isinstance(body["answerable"], bool) and body["answer"]
    # the fact alone, when there is one, is what the answer leads with
    assert body["short_answer"] is None or body["answer"].startswith(body["short_answer"])
    numbers = {c["n"] for c in body["citations"]}
    assert {int(n) for n in MARKER.findall(body["answer"])} <= numbers
    for c in body["citations"]:
        assert set(c) == {"n", "article_id", "chunk_id", "title", "label", "source", "text", "snippet", "start",
                          "end", "score"}
        assert c["snippet"] and c["snippet"] in c["text"]
        assert f"《{c['title']}》" in c["label"] and c["source"] not in c["label"]  # a reference, not a file name
    for r in body["related"]:
        assert set(r) == {"article_id", "title", "label", "source", "score"}
        assert f"《{r['title']}》" in r["label"] and r["source"] not in r["label"]


def test_ask_returns_answer_with_citations(client):
    response = client.post("/api/ask", json={"question": "密云区工匠学院今年将为多少名职工提供免费培训？"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    check_answer(body)
    assert body["answerable"] and body["citations"]
    assert body["question_used"]


def test_ask_snippet_offsets_point_into_the_article(client):
    body = client.post("/api/ask", json={"question": "密云区工匠学院的院长是谁？", "k": 4}).json()
    for c in body["citations"]:
        article = client.get(f"/api/articles/{c['article_id']}").json()
        assert article["body"][c["start"] : c["end"]] == c["snippet"]


def test_ask_with_history(client):
    history = [{"role": "user", "content": "密云区工匠学院是什么时候成立的？"},
               {"role": "assistant", "content": "近日，密云区工匠学院正式开班。[1]"}]
    body = client.post("/api/ask", json={"question": "谁担任院长？", "history": history, "k": 5}).json()
    check_answer(body)


@pytest.mark.parametrize("how", ["accept", "flag"])
def test_ask_streams_server_sent_events(client, how):
    payload = {"question": "密云区工匠学院今年将为多少名职工提供免费培训？"}
    headers = {"Accept": "text/event-stream"} if how == "accept" else {}
    if how == "flag":
        payload["stream"] = True
    with client.stream("POST", "/api/ask", json=payload, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = response.read().decode("utf-8")
    events = sse_events(text)
    names = [name for name, _ in events]
    assert names[0] == "meta" and names[-1] == "done"
    assert set(names[1:-1]) == {"delta"} and len(names) >= 3
    assert events[0][1]["question_used"]
    pieces = [data["text"] for name, data in events if name == "delta"]
    final = events[-1][1]
    check_answer(final)
    assert final["citations"]
    assert "".join(pieces) == final["answer"]
    for piece in pieces:  # markers never cut in half
        assert piece.count("[") == piece.count("]")
        assert len(MARKER.findall(piece)) == piece.count("[")


# -- errors -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "payload", "status"), [
    ("/api/ask", {"question": ""}, 400),
    ("/api/ask", {"question": " \n\t "}, 400),
    ("/api/ask", {"question": "工" * 501}, 400),
    ("/api/ask", {"question": "工会", "k": 0}, 400),
    ("/api/ask", {"question": "工会", "k": 51}, 400),
    ("/api/ask", {"question": "工会", "k": "many"}, 422),
    ("/api/ask", {"question": "工会", "colour": "red"}, 422),
    ("/api/ask", {"question": "工会", "history": [{"role": "system", "content": "x"}]}, 422),
    ("/api/ask", {}, 422),
    ("/api/ask", ["工会"], 422),
    ("/api/search", {"query": "  "}, 400),
    ("/api/search", {"query": "工会", "k": 51}, 400),
    ("/api/search", {"query": "工会", "k": -1}, 400),
    ("/api/search", {"query": "工会", "k": True}, 422),
    ("/api/search", {"query": "工会", "k": "5"}, 422),
    ("/api/search", {"query": "工会", "retriever": "magic"}, 422),
    ("/api/search", {"query": "工会", "filters": {"district": ["密云区"]}}, 422),
    ("/api/search", {"query": "工会", "filters": {"districts": "密云区"}}, 422),
    ("/api/feedback", {"question": "q", "answer": "a", "rating": "meh"}, 422),
    ("/api/feedback", {"question": " ", "answer": "a", "rating": "up"}, 422),
])
def test_bad_input_is_a_client_error(client, path, payload, status):
    error_of(client.post(path, json=payload), status)


@pytest.mark.parametrize("body", [b"{", b"{'question': 1}", b"\xff\xfe", b"null x"])
def test_invalid_json_is_400(client, body):
    err = error_of(client.post("/api/ask", content=body, headers={"Content-Type": "application/json"}), 400)
    assert err["code"] == "invalid_json"


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_body_that_is_not_declared_json_is_415(client, ctype):
    headers = {"Content-Type": ctype} if ctype else {}
    err = error_of(client.post("/api/ask", content='{"question": "工会"}'.encode(), headers=headers), 415)
    assert "application/json" in err["message"]


def test_json_body_over_one_megabyte_is_413(client):
    big = json.dumps({"question": "工会", "history": [{"role": "user", "content": "x" * 1_100_000}]})
    assert error_of(client.post("/api/ask", content=big, headers={"Content-Type": "application/json"}),
                    413)["code"] == "payload_too_large"


def test_unknown_endpoint_and_method(client):
    assert error_of(client.get("/api/nothing"), 404)["code"] == "not_found"
    assert error_of(client.put("/api/ask", json={}), 405)["code"] == "method_not_allowed"


# -- auth ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "Bearer wrong-key", "Bearer", "Basic dGVzdDp0ZXN0", API_KEYS[0],
                                    f"Bearer {API_KEYS[0]}x", "Bearer 密钥".encode()])
def test_writes_need_a_valid_key(client, header):
    headers = {"Content-Type": "text/plain"} | ({"Authorization": header} if header else {})
    err = error_of(client.post("/api/articles", content="工会".encode(), headers=headers), 401)
    assert err["code"] == "unauthorized"
    error_of(client.delete("/api/articles/0123456789abcdef", headers=headers), 401)
    error_of(client.get("/api/feedback", headers=headers), 401)


def test_second_key_works_and_reads_are_open(client):
    assert client.get("/api/feedback", headers={"Authorization": f"Bearer {API_KEYS[1]}"}).status_code == 200
    assert client.post("/api/search", json={"query": "工会"}).status_code == 200
    assert client.post("/api/search", json={"query": "工会"},
                       headers={"Authorization": "Bearer nonsense"}).status_code == 200


def test_no_key_in_the_server_log(server, client):
    client.post("/api/articles", content=b"x", headers={"Authorization": f"Bearer {API_KEYS[0]}"})
    assert API_KEYS[0] not in server.log() and API_KEYS[1] not in server.log()


# -- CORS ---------------------------------------------------------------------------------------------------

def test_cors_allowed_origin(client):
    preflight = client.options("/api/ask", headers={"Origin": ALLOWED_ORIGIN,
                                                    "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    response = client.post("/api/search", json={"query": "工会"}, headers={"Origin": ALLOWED_ORIGIN})
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    failed = client.post("/api/ask", json={"question": ""}, headers={"Origin": ALLOWED_ORIGIN})
    assert failed.status_code == 400 and failed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_cors_other_origin(client):
    evil = "http://evil.example"
    preflight = client.options("/api/ask", headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    response = client.post("/api/search", json={"query": "工会"}, headers={"Origin": evil})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


# -- feedback -----------------------------------------------------------------------------------------------

def test_feedback_round_trip(server, client, auth):
    citations = [{"n": 1, "article_id": "0123456789abcdef"}]
    up = client.post("/api/feedback", json={"question": "密云区工匠学院何时成立？", "answer": "近日。[1]",
                                            "rating": "up", "citations": citations})
    down = client.post("/api/feedback", json={"question": "谁是院长？", "answer": "未找到。", "rating": "down",
                                              "comment": "答非所问"})
    assert up.status_code == down.status_code == 201
    ids = {up.json()["id"], down.json()["id"]}
    listing = client.get("/api/feedback", headers=auth).json()
    assert ids <= {item["id"] for item in listing["items"]}
    assert listing["items"][0]["id"] == down.json()["id"]  # newest first
    downs = client.get("/api/feedback", params={"rating": "down"}, headers=auth).json()["items"]
    assert {item["rating"] for item in downs} == {"down"}
    lines = server.feedback_path.read_text(encoding="utf-8").splitlines()
    stored = [json.loads(line) for line in lines]
    assert ids <= {r["id"] for r in stored}
    assert next(r for r in stored if r["id"] == up.json()["id"])["citations"] == citations
