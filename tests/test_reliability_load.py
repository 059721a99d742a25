"""Load: ``scripts/load_test.py`` (asyncio + httpx) on loopback, short versions of the run CI does for two minutes
with the real model (``.ci/run``); here with the cheap ``hash-256`` embedder, since the figures are not the point:
20 clients mixing asks, searches, uploads and deletes, no error but intended 429s, questions that do not repeat
before the pool (>= 200) is used up, and at the end exactly the articles the acknowledged writes imply. The count
check is shown to catch a write it was not told about; with a low rate limit, the 429s happen and are told apart.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
import pytest
from api_server import API_KEYS, ROOT, start_server

pytestmark = pytest.mark.slow

SCRIPT = ROOT / "scripts" / "load_test.py"


def load_test(*args: str) -> tuple[int, str]:
    run = subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    print(run.stdout)
    return run.returncode, run.stdout + run.stderr


def figure(output: str, label: str) -> int:
    match = re.search(rf"^{re.escape(label)}: (\d+)", output, re.M)
    assert match, f"no '{label}' in the report:\n{output}"
    return int(match.group(1))


def test_20_clients_for_15_seconds():
    code, output = load_test("--model", "hash-256", "--clients", "20", "--duration", "15")
    assert code == 0, output
    assert figure(output, "requests served") >= 20
    assert figure(output, "unexpected errors") == 0
    assert figure(output, "rate limited (429, intended)") == 0  # the script's server allows the load
    pool = re.search(r"^questions: (\d+) to ask, (\d+) to search", output, re.M)
    assert pool and int(pool.group(1)) >= 200 and int(pool.group(2)) >= 200, output
    asks = int(re.search(r"^ask\s+(\d+)", output, re.M).group(1))
    assert figure(output, "distinct questions asked") == min(asks, int(pool.group(1)))  # no repeats before the end
    counts = re.search(r"^articles: (\d+) before \+ (\d+) added - (\d+) deleted = (\d+) expected; the server has "
                       r"(\d+) \(/readyz\), (\d+) \(/api/articles\)", output, re.M)
    assert counts, output
    before, added, deleted, expected, readyz, listed = map(int, counts.groups())
    assert before == 31 and added >= 1 and deleted >= 1 and expected == readyz == listed == before + added - deleted
    assert "index check: OK" in output
    for op in ("ask", "search", "upload", "delete"):
        assert re.search(rf"^{op}\s+\d+\s+\d+\s+\d+\s+\d+", output, re.M), f"no p50/p95/p99 for {op}"


def test_the_count_check_catches_a_write_it_was_not_told_of():
    """While the load runs against a server, someone else deletes a seed article: the run must fail on the count."""
    server = start_server()
    try:
        process = subprocess.Popen([sys.executable, str(SCRIPT), "--url", server.url, "--key", API_KEYS[0],
                                    "--clients", "4", "--duration", "8"], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        time.sleep(4)
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {API_KEYS[1]}"}) as client:
            victim = client.get("/api/articles", params={"limit": 1}).json()["items"][0]["id"]
            assert client.delete(f"/api/articles/{victim}").status_code == 200
        output, _ = process.communicate(timeout=300)
    finally:
        server.stop()
    print(output)
    assert process.returncode == 1 and "index check: FAILED" in output and "articles: expected" in output, output


def test_a_low_rate_limit_gives_429s_that_are_not_errors():
    code, output = load_test("--model", "hash-256", "--clients", "5", "--duration", "3", "--rate-limit", "10",
                             "--mix", "search=1")
    assert code == 0, output
    assert figure(output, "rate limited (429, intended)") > 0
    assert figure(output, "unexpected errors") == 0


def test_only_loopback_is_a_target():
    code, output = load_test("--url", "http://192.0.2.1:8000", "--duration", "1")
    assert code == 2 and "loopback" in output
