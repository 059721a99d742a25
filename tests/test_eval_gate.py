"""The quality gate: a seeded sample of each public set, the real model, no metric below the committed baseline
by more than its tolerance (``eval/baseline.json``; regenerate with ``python -m eval.gate --write-baseline``)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from eval.gate import BASELINE, compare, read_baseline, run_gate

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

pytestmark = pytest.mark.slow


def test_compare_flags_drops_beyond_tolerance_only():
    base = {"cmrc": {"hybrid.hit@1": 0.8, "answers.false_refusals": 0.2}}
    assert compare({"cmrc": {"hybrid.hit@1": 0.74, "answers.false_refusals": 0.3}}, base) == []
    assert compare({"cmrc": {"hybrid.hit@1": 0.72, "answers.false_refusals": 0.36}}, base) == [
        "cmrc hybrid.hit@1: 0.720 < baseline 0.800 - 0.07",
        "cmrc answers.false_refusals: 0.360 > baseline 0.200 + 0.15"]
    assert compare({}, base) == ["cmrc: not evaluated (the baseline has it)"]


@pytest.mark.skipif(not DATA.is_dir(), reason=f"the public data is not at {DATA}: the quality gate needs it")
@pytest.mark.timeout(900)
def test_no_metric_dropped_below_the_baseline():
    baseline = read_baseline(BASELINE)
    started = time.perf_counter()
    run = run_gate(DATA)
    seconds = time.perf_counter() - started
    problems = compare(run["sets"], baseline["sets"])
    assert not problems, "quality dropped below eval/baseline.json:\n" + "\n".join(problems)
    print(f"gate passed in {seconds:.0f}s: {run['sets']}")
