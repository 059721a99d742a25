"""Load test: N concurrent clients mix asks, searches, page uploads and deletes for a fixed time, on loopback; then
the index must hold exactly what the acknowledged writes imply. Exit 0 only if nothing failed but intended 429s.

    python scripts/load_test.py --clients 20 --duration 120             # its own server: the real model, seeds/
    python scripts/load_test.py --url http://127.0.0.1:8000 --key KEY   # against a running server

Questions are not a handful of cached ones: the evaluation questions (``eval/data/beir/queries.jsonl``, with their
follow-up histories) plus one per article title, and searches made from the articles' own sentences, each drawn in
turn from a shuffled pool (>= 200 of each), so the answer pipeline and the query cache meet new text all along.
Uploads are one-article pages with a unique token; deletes remove one of this run's acknowledged uploads. At the end:
articles now == articles before + acknowledged adds - acknowledged deletes (by ``/readyz`` and by the article list),
every surviving upload is readable and found by a keyword search for its token, every deleted one is gone.

Without ``--url`` it builds an index from ``seeds/`` in a temporary directory with the default (real) model and
serves it with uvicorn on a free loopback port, with ``RAG_RATE_LIMIT_PER_MINUTE`` high enough for the load
(``--rate-limit`` to set it: a low one shows the 429s). Only loopback is ever targeted, and the whole run is bounded
by ``--max-seconds``. Prints requests served, statuses, and p50/p95/p99 per operation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.load_server import OwnServer  # noqa: E402 (the repo root is put on the path just above)
from scripts.load_tally import Tally, report  # noqa: E402

LOOPBACK = ("127.", "localhost", "[::1]", "::1")
OPERATIONS = ("ask", "search", "upload", "delete")
QUERIES = ROOT / "eval" / "data" / "beir" / "queries.jsonl"
SEEDS = ROOT / "seeds"
MIN_QUESTIONS = 200
MAX_REQUESTS_PER_CLIENT = 100_000  # a bound besides the clock
_SENTENCE = re.compile(r"[^。！？!?\n]{12,60}[。！？!?]")


class Pool:
    """Items drawn in turn from a shuffled list, reshuffled when used up; remembers how many distinct were drawn."""

    def __init__(self, items: list, rng: random.Random) -> None:
        self.items, self.rng, self.at, self.used = list(items), rng, 0, set()
        rng.shuffle(self.items)

    def next(self):
        if self.at == len(self.items):
            self.rng.shuffle(self.items)
            self.at = 0
        item = self.items[self.at]
        self.at += 1
        self.used.add(json.dumps(item, ensure_ascii=False))
        return item


def question_pools(rng: random.Random) -> tuple[Pool, Pool]:
    """(asks, searches): the evaluation questions and one per seed article title; the seed articles' titles and
    sentences. Read from the repository, so building them costs the server nothing (nor any rate-limit budget)."""
    from rag.ingest.parse import parse_page

    asks: list[tuple[str, list[dict[str, str]]]] = []
    if QUERIES.exists():
        for line in QUERIES.read_text(encoding="utf-8").splitlines():
            query = json.loads(line)
            asks.append((query["text"], query.get("metadata", {}).get("history") or []))
    searches: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for article in parse_page(path.read_text(encoding="utf-8"), path.name):
            asks.append((f"{article.title}的主要内容是什么？", []))
            searches.append(article.title)
            searches += [m.group(0) for m in _SENTENCE.finditer(article.body)]
    asks = list(dict.fromkeys((q, json.dumps(h, ensure_ascii=False)) for q, h in asks))
    searches = list(dict.fromkeys(searches))
    if len(asks) < MIN_QUESTIONS or len(searches) < MIN_QUESTIONS:
        raise SystemExit(f"only {len(asks)} questions and {len(searches)} searches; the load needs {MIN_QUESTIONS} "
                         "of each (keep seeds/ and eval/data/beir/queries.jsonl)")
    return Pool([(q, json.loads(h)) for q, h in asks], rng), Pool(searches, rng)


def page_for(token: str) -> str:
    """A one-article page whose title carries ``token`` (one jieba token, so a keyword search finds it)."""
    return (f"## 职工书屋揭牌 {token}\n\n本报讯（记者 压测）近日，{token} 职工书屋在负载测试中揭牌，"
            f"书屋藏书三千册，向全体职工免费开放。\n")


async def client_loop(http: httpx.AsyncClient, n: int, deadline: float, weights: dict[str, int], key: str | None,
                      run_id: str, pools: tuple[Pool, Pool], tally: Tally) -> None:
    rng = random.Random(n)
    ops, cum = list(weights), list(weights.values())
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    asks, searches = pools
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        op = rng.choices(ops, cum)[0]
        if op == "delete" and not tally.live:
            op = "upload"  # nothing of ours to delete yet
        token = f"lt{run_id}c{n}n{i}"
        began = time.perf_counter()
        target = ""
        try:
            if op == "ask":
                question, history = asks.next()
                response = await http.post("/api/ask", json={"question": question, "history": history})
            elif op == "search":
                response = await http.post("/api/search", json={"query": searches.next(), "k": 5})
            elif op == "upload":
                response = await http.post("/api/articles", params={"source": f"load-{token}.txt"},
                                           content=page_for(token).encode("utf-8"),
                                           headers={**auth, "Content-Type": "text/plain; charset=utf-8"})
            else:
                target = tally.live.pop(rng.randrange(len(tally.live)))
                response = await http.delete(f"/api/articles/{target}", headers=auth)
        except httpx.HTTPError as exc:
            tally.record(op, f"transport error ({type(exc).__name__})", time.perf_counter() - began, str(exc))
            if target:
                tally.unsure.append(target)  # deleted or not: unknown
            continue
        tally.record(op, response.status_code, time.perf_counter() - began, response.text)
        if op == "upload" and response.status_code == 201:
            for article_id in response.json()["added"]:
                tally.uploads[article_id] = token
                tally.live.append(article_id)
        elif op == "delete":
            if response.status_code == 200:
                tally.deleted.append(target)
            else:
                tally.live.append(target)  # refused (e.g. 429): still there


async def patient(http: httpx.AsyncClient, method: str, url: str, **kwargs) -> httpx.Response:
    """A request that waits out 429s (``Retry-After``): the check after the load must not fail on the limit."""
    while (response := await http.request(method, url, **kwargs)).status_code == 429:
        await asyncio.sleep(int(response.headers.get("retry-after", "1")))
    return response


async def verify(http: httpx.AsyncClient, tally: Tally, before: int) -> list[str]:
    """Problems with what the index holds after the load (empty if it is exactly what was acknowledged)."""
    problems = []
    ready = (await patient(http, "GET", "/readyz")).json()
    listing = (await patient(http, "GET", "/api/articles", params={"limit": 1})).json()
    tally.counts = {"before": before, "added": len(tally.uploads), "deleted": len(tally.deleted),
                    "readyz": ready["articles"], "listed": listing["total"]}
    expected = before + len(tally.uploads) - len(tally.deleted)
    if tally.unsure:
        problems.append(f"{len(tally.unsure)} delete(s) with no answer: the count cannot be checked exactly")
    elif not ready["articles"] == listing["total"] == expected:
        problems.append(f"articles: expected {expected}, /readyz says {ready['articles']}, the list {listing['total']}")
    for article_id in tally.live:
        token = tally.uploads[article_id]
        article = await patient(http, "GET", f"/api/articles/{article_id}")
        hits = await patient(http, "POST", "/api/search",
                             json={"query": f"职工书屋 {token}", "retriever": "bm25", "k": 10})
        found = hits.status_code == 200 and article_id in {h["article_id"] for h in hits.json()["hits"]}
        if article.status_code != 200 or not found:
            problems.append(f"upload {article_id} ({token}) lost: article {article.status_code}, found {found}")
    for article_id in tally.deleted:
        if (status := (await patient(http, "GET", f"/api/articles/{article_id}")).status_code) != 404:
            problems.append(f"deleted {article_id} is still there ({status})")
    return problems


async def run(url: str, clients: int, duration: float, key: str | None, weights: dict[str, int],
              request_timeout: float) -> tuple[Tally, list[str], float]:
    tally = Tally()
    run_id = secrets.token_hex(3)
    pools = question_pools(random.Random(run_id))
    print(f"questions: {len(pools[0].items)} to ask, {len(pools[1].items)} to search")
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    async with httpx.AsyncClient(base_url=url, timeout=request_timeout, limits=limits) as http:
        before = (await http.get("/readyz")).json()["articles"]
        began = time.monotonic()
        await asyncio.gather(*(client_loop(http, n, began + duration, weights, key, run_id, pools, tally)
                               for n in range(clients)))
        elapsed = time.monotonic() - began
        tally.distinct = {"ask": len(pools[0].used), "search": len(pools[1].used)}
        # checked with the key, if there is one: its own budget, apart from the anonymous load's
        http.headers.update({"Authorization": f"Bearer {key}"} if key else {})
        problems = await verify(http, tally, before)
    return tally, problems, elapsed


def parse_mix(text: str) -> dict[str, int]:
    """``"ask=5,search=4,upload=1,delete=1"`` -> ``{"ask": 5, ...}`` (``ingest`` is another name for upload)."""
    weights = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        name = {"ingest": "upload"}.get(name.strip(), name.strip())
        if name not in OPERATIONS:
            raise argparse.ArgumentTypeError(f"unknown operation {name!r}; use {', '.join(OPERATIONS)}")
        weights[name] = int(weight or 1)
    return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/load_test.py", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (loopback only); default: start one")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--key", help="API key for uploads and deletes (default: generated for our own server)")
    parser.add_argument("--mix", type=parse_mix, default=parse_mix("ask=5,search=4,upload=2,delete=1"),
                        help="operation weights, e.g. ask=5,search=4,upload=2,delete=1")
    parser.add_argument("--model", help="RAG_MODEL for our own server (default: the product's default model)")
    parser.add_argument("--rate-limit", type=int, default=1_000_000, help="RAG_RATE_LIMIT_PER_MINUTE for our server")
    parser.add_argument("--request-timeout", type=float, default=120, help="seconds before a request is a failure")
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="bound on the whole run, set-up included (default: duration + 900)")
    args = parser.parse_args(argv)
    if args.url and not (urlsplit(args.url).hostname or "").startswith(LOOPBACK):
        parser.error("load is only ever sent to a loopback address (127.0.0.0/8, localhost, [::1])")
    if {"upload", "delete"} & set(args.mix) and not (args.key or not args.url):
        parser.error("uploads and deletes need --key (or leave them out: --mix ask=1,search=1)")
    bound = args.max_seconds or args.duration + 900

    async def bounded(url: str, key: str | None) -> tuple[Tally, list[str], float]:
        return await asyncio.wait_for(run(url, args.clients, args.duration, key, args.mix, args.request_timeout),
                                      timeout=max(bound - (time.monotonic() - started), 1))

    started = time.monotonic()
    print(f"load test: {args.clients} clients for {args.duration:.0f} s, mix {args.mix}")
    log = ""
    try:
        if args.url:
            tally, problems, elapsed = asyncio.run(bounded(args.url, args.key))
        else:
            key = args.key or secrets.token_urlsafe(24)
            with OwnServer(args.model, args.rate_limit, key, timeout=bound) as server:
                print(f"server: {server.url} (model {server.model}, rate limit {args.rate_limit}/min, "
                      f"ready in {server.ready_after:.0f} s)")
                tally, problems, elapsed = asyncio.run(bounded(server.url, key))
                log = server.log()
    except TimeoutError:
        print(f"FAILED: the run took longer than --max-seconds {bound:.0f}")
        return 1
    report(tally, problems, elapsed, args.clients)
    crashed = "Traceback" in log
    if crashed:
        print("server log has a traceback:\n" + log[-3000:])
    failed = tally.unexpected() or problems or crashed or not tally.latencies
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
