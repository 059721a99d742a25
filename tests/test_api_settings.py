"""API behaviour under other settings, each in its own real server (uvicorn in a thread, ``create_app``):
loading (503), a failed load, rate limits (429), no keys configured (403), closed reads (401).
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from api_server import SEEDS, ThreadServer

from api.main import create_app
from embeddings.hashing import HashEmbedder
from rag import Library, Settings
from rag.errors import IndexMismatchError

KEY = "settings-test-key"


def make_settings(index_dir, **overrides) -> Settings:
    values = {"index_dir": index_dir, "model": "hash-256", "api_keys": [KEY], "progress": False,
              "feedback_path": index_dir.parent / "feedback.jsonl"} | overrides
    return Settings(**values)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Library:
    lib = Library(make_settings(tmp_path_factory.mktemp("settings") / "index"), HashEmbedder())
    lib.ingest_paths([SEEDS])
    return lib


def serve(library: Library, **overrides) -> ThreadServer:
    return ThreadServer(create_app(make_settings(library.index_dir, **overrides), library))


def error_code(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["error"]["code"]


def test_503_while_the_index_loads(library):
    release = threading.Event()

    def slow_loader(settings: Settings) -> Library:
        release.wait(30)
        return library

    app = create_app(make_settings(library.index_dir), loader=slow_loader)
    with ThreadServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/healthz").status_code == 200
        loading = client.get("/readyz")
        assert error_code(loading, 503) == "index_not_ready" and loading.headers["retry-after"]
        assert error_code(client.post("/api/search", json={"query": "工会"}), 503) == "index_not_ready"
        assert error_code(client.post("/api/ask", json={"question": "工会"}), 503) == "index_not_ready"
        assert error_code(client.get("/api/articles"), 503) == "index_not_ready"
        release.set()
        for _ in range(100):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.05)
        assert client.get("/readyz").json()["articles"] == len(library.index.articles)
        assert client.post("/api/search", json={"query": "工会"}).status_code == 200


def test_503_with_the_reason_when_loading_fails(library):
    def broken_loader(settings: Settings) -> Library:
        raise IndexMismatchError("the index was built with model other-model; rebuild it or set RAG_MODEL.")

    app = create_app(make_settings(library.index_dir), loader=broken_loader)
    with ThreadServer(app) as server, httpx.Client(base_url=server.url) as client:
        for _ in range(100):
            response = client.get("/readyz")
            if "could not be loaded" in response.text:
                break
            time.sleep(0.05)
        assert error_code(response, 503) == "index_not_ready"
        assert "rebuild it or set RAG_MODEL" in response.json()["error"]["message"]
        assert client.get("/healthz").status_code == 200


def test_rate_limit_per_ip_and_per_key(library):
    with serve(library, rate_limit_per_minute=3) as server, httpx.Client(base_url=server.url) as client:
        for _ in range(3):
            assert client.post("/api/search", json={"query": "工会"}).status_code == 200
        limited = client.post("/api/search", json={"query": "工会"})
        assert error_code(limited, 429) == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert client.get("/v1/models").status_code == 429  # one budget across endpoints
        assert client.get("/healthz").status_code == 200  # probes are not limited
        # made-up keys do not buy a fresh budget; a valid key has its own
        assert client.get("/api/articles", headers={"Authorization": "Bearer made-up"}).status_code == 429
        keyed = {"Authorization": f"Bearer {KEY}"}
        for _ in range(3):
            assert client.get("/api/articles", headers=keyed).status_code == 200
        assert error_code(client.get("/api/articles", headers=keyed), 429) == "rate_limited"


def test_writes_are_refused_when_no_key_is_configured(library):
    with serve(library, api_keys=[]) as server, httpx.Client(base_url=server.url) as client:
        for response in (
            client.post("/api/articles", content="工会".encode(), headers={"Content-Type": "text/plain"}),
            client.delete("/api/articles/0123456789abcdef", headers={"Authorization": "Bearer anything"}),
            client.get("/api/feedback"),
        ):
            assert error_code(response, 403) == "forbidden"
            assert "RAG_API_KEYS" in response.json()["error"]["message"]
        assert client.post("/api/search", json={"query": "工会"}).status_code == 200


def test_reads_closed_when_read_requires_key(library):
    with serve(library, read_requires_key=True) as server, httpx.Client(base_url=server.url) as client:
        assert error_code(client.post("/api/search", json={"query": "工会"}), 401) == "unauthorized"
        wrong = client.get("/api/articles", headers={"Authorization": "Bearer nope"})
        assert error_code(wrong, 401) == "unauthorized" and wrong.headers["www-authenticate"] == "Bearer"
        assert error_code(client.get("/v1/models"), 401) == "unauthorized"
        keyed = {"Authorization": f"Bearer {KEY}"}
        assert client.post("/api/search", json={"query": "工会"}, headers=keyed).status_code == 200
        assert client.get("/v1/models", headers=keyed).status_code == 200
        assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code == 200


def test_cors_wildcard_when_configured(library):
    """``RAG_CORS_ORIGINS=*`` still opens the API to every site (the default is same-origin only)."""
    with serve(library, cors_origins=["*"]) as server, httpx.Client(base_url=server.url) as client:
        response = client.post("/api/search", json={"query": "工会"}, headers={"Origin": "https://any.example"})
        assert response.headers["access-control-allow-origin"] == "*"


def test_trusted_proxies_are_addresses_or_networks():
    assert Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8,::1").trusted_proxies == ["127.0.0.1", "10.0.0.0/8", "::1"]
    with pytest.raises(ValueError, match="RAG_TRUSTED_PROXIES: 'proxy.local' is not an IP address"):
        Settings(trusted_proxies="127.0.0.1,proxy.local")
