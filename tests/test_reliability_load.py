"""Load: ``scripts/load_test.py`` (asyncio + httpx) against its own server on loopback, short versions of the run CI
does for two minutes (``.ci/run``): 20 clients mixing asks, searches and uploads, no error but intended 429s, every
acknowledged upload searchable afterwards; and, with a low rate limit, the 429s really happen and are told apart.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from api_server import ROOT

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


def test_20_clients_for_15_seconds(tmp_path):
    code, output = load_test("--clients", "20", "--duration", "15")
    assert code == 0, output
    assert figure(output, "requests served") >= 20
    assert figure(output, "unexpected errors") == 0
    assert figure(output, "rate limited (429, intended)") == 0  # the script's server allows the load
    uploads = re.search(r"acknowledged uploads: (\d+), searchable afterwards: (\d+)", output)
    assert uploads and int(uploads.group(1)) >= 1 and uploads.group(1) == uploads.group(2), output
    for endpoint in ("ask", "search", "ingest"):
        assert re.search(rf"^{endpoint}\s+\d+\s+\d+\s+\d+\s+\d+", output, re.M), f"no p50/p95/p99 for {endpoint}"


def test_a_low_rate_limit_gives_429s_that_are_not_errors():
    code, output = load_test("--clients", "5", "--duration", "3", "--rate-limit", "10", "--mix", "search=1")
    assert code == 0, output
    assert figure(output, "rate limited (429, intended)") > 0
    assert figure(output, "unexpected errors") == 0


def test_only_loopback_is_a_target():
    code, output = load_test("--url", "http://192.0.2.1:8000", "--duration", "1")
    assert code == 2 and "loopback" in output
