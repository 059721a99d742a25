"""Measure ``/api/ask`` latency against a running server: ``python -m api.latency --url URL -n 50``.

Sends ``n`` questions (cycling through a varied set: facts, numbers, people, lists, follow-ups, out-of-corpus),
one after another or ``--concurrency`` at a time, and prints p50/p95 of the wall time per request. Not a test.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

QUESTIONS: list[tuple[str, list[dict[str, str]]]] = [
    ("密云区工匠学院今年将为多少名职工提供免费培训？", []),
    ("谁担任密云区工匠学院院长？", []),
    ("昌平区工会第六次代表大会有哪些领导出席？", []),
    ("哪些区举办了集体协商比赛？", []),
    ("顺义区总工会如何推动集体协商提质增效？", []),
    ("夏天工会为户外劳动者送了哪些清凉物资？", []),
    ("经开区总工会的线下大集提供了什么服务？", []),
    ("朝外街道总工会为单身职工组织了什么活动？", []),
    ("东城区“五月的鲜花”歌咏比赛是什么活动？", []),
    ("中铁六局产业工人队伍建设改革推进会讲了什么？", []),
    ("它在哪里举行？", [{"role": "user", "content": "门头沟区总工会举办了什么专题讲座？"},
                     {"role": "assistant", "content": "门头沟区总工会举办了专题讲座。[1]"}]),
    ("火星上的工会主席是谁？", []),
]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: ``percentile([1, 2, 3, 4], 0.5) == 2``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def ask_once(client: httpx.Client, i: int, k: int | None) -> tuple[float, int]:
    question, history = QUESTIONS[i % len(QUESTIONS)]
    body: dict[str, object] = {"question": question, "history": history}
    if k:
        body["k"] = k
    began = time.perf_counter()
    try:
        status = client.post("/api/ask", json=body).status_code
    except httpx.HTTPError:
        status = 0
    return time.perf_counter() - began, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.latency", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="server base URL")
    parser.add_argument("-n", type=int, default=50, help="number of requests")
    parser.add_argument("-c", "--concurrency", type=int, default=1, help="requests in flight at once")
    parser.add_argument("-k", type=int, default=None, help="chunks per answer (default: the server's)")
    parser.add_argument("--key", default=None, help="API key, if the server requires one for reading")
    parser.add_argument("--warmup", type=int, default=2, help="requests sent first and not counted")
    args = parser.parse_args(argv)
    headers = {"Authorization": f"Bearer {args.key}"} if args.key else {}
    with httpx.Client(base_url=args.url.rstrip("/"), headers=headers, timeout=120) as client:
        for i in range(args.warmup):
            ask_once(client, i, args.k)
        with ThreadPoolExecutor(max(1, args.concurrency)) as pool:
            began = time.perf_counter()
            results = list(pool.map(lambda i: ask_once(client, i, args.k), range(args.n)))
            elapsed = time.perf_counter() - began
    ok = [seconds * 1000 for seconds, status in results if status == 200]
    failed = len(results) - len(ok)
    if not ok:
        print(f"all {len(results)} requests failed (statuses: {sorted({s for _, s in results})})", file=sys.stderr)
        return 1
    print(
        f"/api/ask x{len(results)} (concurrency {args.concurrency}, {len(QUESTIONS)} questions): "
        f"p50 {percentile(ok, 0.50):.0f} ms  p95 {percentile(ok, 0.95):.0f} ms  "
        f"mean {statistics.fmean(ok):.0f} ms  max {max(ok):.0f} ms  "
        f"{len(results) / elapsed:.1f} req/s  failed {failed}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
