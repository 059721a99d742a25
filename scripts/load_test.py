"""Load test: N concurrent clients mix asks, searches and page uploads for a fixed time, then every acknowledged upload
must be searchable. Exit 0 only if nothing failed other than intended 429s (rate limiting).

    python scripts/load_test.py --clients 20 --duration 120             # starts its own server (hash-256, seeds)
    python scripts/load_test.py --url http://127.0.0.1:8000 --key KEY   # against a running server

Without ``--url`` it builds an index from ``seeds/`` in a temporary directory and serves it with uvicorn on a free
loopback port, with ``RAG_RATE_LIMIT_PER_MINUTE`` high enough for the load (``--rate-limit`` to set it: a low one
shows the 429s). Only loopback is ever targeted. Prints requests served, statuses, and p50/p95/p99 per endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from api.latency import QUESTIONS, percentile  # noqa: E402 (the repo root is put on the path just above)

LOOPBACK = ("127.", "localhost", "[::1]", "::1")
OK = {200, 201}
INTENDED = {429}
MAX_REQUESTS_PER_CLIENT = 100_000  # a bound besides the clock


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: list[str] = field(default_factory=list)  # first few unexpected responses, for the report
    uploads: dict[str, str] = field(default_factory=dict)  # acknowledged article id -> its unique token

    def record(self, endpoint: str, status: int | str, seconds: float, detail: str = "") -> None:
        self.latencies[endpoint].append(seconds)
        self.statuses[endpoint][status] += 1
        if status not in OK and status not in INTENDED and len(self.failures) < 10:
            self.failures.append(f"{endpoint} -> {status}: {detail[:300]}")

    def unexpected(self) -> int:
        return sum(n for counts in self.statuses.values() for s, n in counts.items()
                   if s not in OK and s not in INTENDED)


def page_for(token: str) -> str:
    """A one-article page whose title carries ``token`` (one jieba token, so a keyword search finds it)."""
    return (f"## 职工书屋揭牌 {token}\n\n本报讯（记者 压测）近日，{token} 职工书屋在负载测试中揭牌，"
            f"书屋藏书三千册，向全体职工免费开放。\n")


async def client_loop(http: httpx.AsyncClient, n: int, deadline: float, weights: dict[str, int], key: str | None,
                      run_id: str, tally: Tally) -> None:
    rng = random.Random(n)
    ops, cum = list(weights), list(weights.values())
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        op = rng.choices(ops, cum)[0]
        question, history = QUESTIONS[rng.randrange(len(QUESTIONS))]
        token = f"lt{run_id}c{n}n{i}"
        began = time.perf_counter()
        try:
            if op == "ask":
                response = await http.post("/api/ask", json={"question": question, "history": history})
            elif op == "search":
                response = await http.post("/api/search", json={"query": question, "k": 5})
            else:
                response = await http.post("/api/articles", params={"source": f"load-{token}.txt"},
                                           content=page_for(token).encode("utf-8"),
                                           headers={**auth, "Content-Type": "text/plain; charset=utf-8"})
        except httpx.HTTPError as exc:
            tally.record(op, f"transport error ({type(exc).__name__})", time.perf_counter() - began, str(exc))
            continue
        tally.record(op, response.status_code, time.perf_counter() - began, response.text)
        if op == "ingest" and response.status_code == 201:
            for article_id in response.json()["added"]:
                tally.uploads[article_id] = token


async def verify_uploads(http: httpx.AsyncClient, uploads: dict[str, str]) -> list[str]:
    """Every acknowledged upload can be read back and is found by a keyword search for its token."""
    missing = []
    for article_id, token in uploads.items():
        article = await http.get(f"/api/articles/{article_id}")
        hits = await http.post("/api/search", json={"query": f"职工书屋 {token}", "retriever": "bm25", "k": 10})
        found = hits.status_code == 200 and article_id in {h["article_id"] for h in hits.json()["hits"]}
        if article.status_code != 200 or not found:
            missing.append(f"{article_id} ({token}): article {article.status_code}, search {hits.status_code}")
    return missing


async def run(url: str, clients: int, duration: float, key: str | None, weights: dict[str, int]) -> tuple[Tally, list[str], float]:
    tally = Tally()
    run_id = secrets.token_hex(3)
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    async with httpx.AsyncClient(base_url=url, timeout=180, limits=limits) as http:
        began = time.monotonic()
        deadline = began + duration
        await asyncio.gather(*(client_loop(http, n, deadline, weights, key, run_id, tally) for n in range(clients)))
        elapsed = time.monotonic() - began
        missing = await verify_uploads(http, tally.uploads)
    return tally, missing, elapsed


def report(tally: Tally, missing: list[str], elapsed: float, clients: int) -> None:
    served = sum(len(v) for v in tally.latencies.values())
    print(f"requests served: {served} in {elapsed:.0f} s ({served / max(elapsed, 1e-9):.1f}/s, {clients} clients)")
    statuses: Counter = Counter()
    for counts in tally.statuses.values():
        statuses.update(counts)
    print("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=lambda x: str(x[0]))))
    print(f"rate limited (429, intended): {statuses.get(429, 0)}")
    print(f"unexpected errors: {tally.unexpected()}")
    for line in tally.failures:
        print(f"  {line}")
    print(f"{'endpoint':<8} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for endpoint in ("ask", "search", "ingest"):
        values = [s * 1000 for s in tally.latencies.get(endpoint, [])]
        if values:
            print(f"{endpoint:<8} {len(values):>6} {percentile(values, 0.50):>8.0f} {percentile(values, 0.95):>8.0f} "
                  f"{percentile(values, 0.99):>8.0f} {max(values):>8.0f}")
    print(f"acknowledged uploads: {len(tally.uploads)}, searchable afterwards: {len(tally.uploads) - len(missing)}")
    for line in missing[:10]:
        print(f"  not searchable: {line}")


# -- our own server -------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnServer:
    """Seed an index in a temp dir and serve it with uvicorn (a subprocess, as in production)."""

    def __init__(self, model: str, rate_limit: int, key: str) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="ghnews-load-"))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        self.env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", RAG_MODEL=model,
                        RAG_INDEX_DIR=str(self.home / "index"), RAG_API_KEYS=key, RAG_PROGRESS="false",
                        RAG_RATE_LIMIT_PER_MINUTE=str(rate_limit), RAG_FEEDBACK_PATH=str(self.home / "fb.jsonl"))
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log_path = self.home / "server.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> OwnServer:
        subprocess.run([sys.executable, "-m", "rag", "-q", "ingest", str(ROOT / "seeds")], cwd=ROOT, env=self.env,
                       check=True, capture_output=True, timeout=600)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
                 "--port", self.url.rsplit(":", 1)[1], "--log-level", "warning"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError("server not ready")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        shutil.rmtree(self.home, ignore_errors=True)


def parse_mix(text: str) -> dict[str, int]:
    """``"ask=4,search=4,ingest=1"`` -> ``{"ask": 4, "search": 4, "ingest": 1}``."""
    weights = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in ("ask", "search", "ingest"):
            raise argparse.ArgumentTypeError(f"unknown operation {name!r}; use ask, search, ingest")
        weights[name.strip()] = int(weight or 1)
    return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/load_test.py", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (loopback only); default: start one")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--key", help="API key for uploads (default: generated for our own server)")
    parser.add_argument("--mix", type=parse_mix, default=parse_mix("ask=5,search=4,ingest=1"),
                        help="operation weights, e.g. ask=5,search=4,ingest=1")
    parser.add_argument("--model", default="hash-256", help="RAG_MODEL for our own server")
    parser.add_argument("--rate-limit", type=int, default=1_000_000, help="RAG_RATE_LIMIT_PER_MINUTE for our own server")
    args = parser.parse_args(argv)
    if args.url and not urlsplit(args.url).hostname.startswith(LOOPBACK):
        parser.error("load is only ever sent to a loopback address (127.0.0.0/8, localhost, [::1])")
    if "ingest" in args.mix and not (args.key or not args.url):
        parser.error("uploads need --key (or leave out ingest: --mix ask=1,search=1)")

    print(f"load test: {args.clients} clients for {args.duration:.0f} s, mix {args.mix}")
    if args.url:
        tally, missing, elapsed = asyncio.run(run(args.url, args.clients, args.duration, args.key, args.mix))
        log = ""
    else:
        key = args.key or secrets.token_urlsafe(24)
        with OwnServer(args.model, args.rate_limit, key) as server:
            print(f"server: {server.url} (model {args.model}, rate limit {args.rate_limit}/min)")
            tally, missing, elapsed = asyncio.run(run(server.url, args.clients, args.duration, key, args.mix))
            log = server.log()
    report(tally, missing, elapsed, args.clients)
    crashed = "Traceback" in log
    if crashed:
        print("server log has a traceback:\n" + log[-3000:])
    failed = tally.unexpected() or missing or crashed or not tally.latencies
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
