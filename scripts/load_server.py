"""The load test's own server: an index of ``seeds/`` in a temporary directory, served by uvicorn on a free loopback
port in a subprocess (as ``make run`` serves it), every step bounded in time."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnServer:
    """``model`` None: the product's default (real) model, as ``make run`` uses."""

    def __init__(self, model: str | None, rate_limit: int, key: str, timeout: float = 900) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="ghnews-load-"))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        self.env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", RAG_INDEX_DIR=str(self.home / "index"),
                        RAG_API_KEYS=key, RAG_PROGRESS="false", RAG_RATE_LIMIT_PER_MINUTE=str(rate_limit),
                        RAG_FEEDBACK_PATH=str(self.home / "fb.jsonl"))
        if model:
            self.env["RAG_MODEL"] = model
        self.model = model or "default"
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log_path = self.home / "server.log"
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self.ready_after = 0.0

    def __enter__(self) -> OwnServer:
        began = time.monotonic()
        try:
            subprocess.run([sys.executable, "-m", "rag", "-q", "ingest", str(ROOT / "seeds")], cwd=ROOT,
                           env=self.env, check=True, capture_output=True, timeout=self.timeout)
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
                     "--port", self.url.rsplit(":", 1)[1], "--log-level", "warning", "--no-proxy-headers"],
                    cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
            while time.monotonic() - began < self.timeout:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited: {self.log()[-2000:]}")
                try:
                    if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                        self.ready_after = time.monotonic() - began
                        return self
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            raise TimeoutError("server not ready")
        except BaseException:
            self.__exit__()
            raise

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        shutil.rmtree(self.home, ignore_errors=True)
