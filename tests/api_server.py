"""Real servers for the API tests: uvicorn in a subprocess over a seeded index, or in a thread for a custom app.

``shared_server()`` starts one subprocess server per test session (both API test modules use it): the index is
built from ``seeds/`` with the CLI and the cheap ``hash-256`` embedder, then ``uvicorn api.main:app`` serves it
with ``RAG_*`` settings from the environment, exactly as in production.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
API_KEYS = ("test-key-alpha", "test-key-beta")
ALLOWED_ORIGIN = "http://allowed.example"
MAX_UPLOAD_BYTES = 200_000


def error_of(response: httpx.Response, status: int) -> dict:
    """Assert the one error shape and status; return the error object."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    return body["error"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, timeout: float = 180.0, process: subprocess.Popen | None = None) -> None:
    """Poll ``/readyz`` until it answers 200; fail early if the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s")


def rag_env(**settings: object) -> dict[str, str]:
    """The parent environment without its ``RAG_*`` variables, plus ``RAG_<KEY>`` for each setting given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONUNBUFFERED="1")
    env.update({f"RAG_{key.upper()}": str(value) for key, value in settings.items()})
    return env


def build_index(index_dir: Path, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "rag", "--index-dir", str(index_dir), "-q", "ingest", str(SEEDS)],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)


@dataclass
class RunningServer:
    url: str
    home: Path
    process: subprocess.Popen
    log_path: Path
    api_key: str = API_KEYS[0]
    _stopped: bool = field(default=False, repr=False)

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def feedback_path(self) -> Path:
        return self.home / "feedback.jsonl"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        shutil.rmtree(self.home, ignore_errors=True)


def start_server(model: str = "hash-256", **settings: object) -> RunningServer:
    """Seed an index in a fresh temp dir and serve it with ``uvicorn api.main:app`` on a free loopback port."""
    home = Path(tempfile.mkdtemp(prefix="ghnews-api-"))
    env = rag_env(model=model, index_dir=home / "index", api_keys=",".join(API_KEYS), cors_origins=ALLOWED_ORIGIN,
                  max_k=50, max_question_chars=500,
                  max_upload_bytes=MAX_UPLOAD_BYTES, rate_limit_per_minute=100_000,
                  feedback_path=home / "feedback.jsonl", progress="false", **settings)
    build_index(home / "index", env)
    port = free_port()
    log_path = home / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = RunningServer(f"http://127.0.0.1:{port}", home, process, log_path)
    try:
        wait_ready(server.url, process=process)
    except Exception as exc:
        log_text = server.log()
        server.stop()
        raise RuntimeError(f"the API server did not start: {exc}\n{log_text[-3000:]}") from exc
    return server


_shared: RunningServer | None = None
_shared_lock = threading.Lock()


def shared_server() -> RunningServer:
    """One subprocess server for the whole test session, stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = start_server()
            atexit.register(_shared.stop)
        return _shared


class ThreadServer:
    """Serve an ASGI app with uvicorn in a background thread (for apps built by ``create_app`` in the test)."""

    def __init__(self, app: object) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("thread server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


def sse_events(text: str) -> list[tuple[str, dict]]:
    """Parse a server-sent event stream into (event, JSON data) pairs; comment lines (pings) are skipped."""
    events = []
    for block in re.split(r"\r?\n\r?\n", text):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events
