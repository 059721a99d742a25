"""Answer-level metrics from answer records, pure: gold facts, citation markers, refusals, follow-ups, and the
refusal-threshold trade-off (any threshold, computed from the one threshold-free run)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .answers import AnswerRecord, gold_present
from .dataset import Query
from .metrics import mean
from .text import contains, strip_markers

THRESHOLDS = tuple(round(i * 0.05, 2) for i in range(21))


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (linear interpolation), None for no values.

    >>> percentile([4, 1, 3, 2], 50), percentile([1, 2, 3, 4, 5], 95), percentile([], 50)
    (2.5, 4.8, None)
    """
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo), 6)


def refusal_counts(records: Sequence[AnswerRecord], queries: Mapping[str, Query], threshold: float) -> dict:
    """Refusal precision/recall on the should-refuse questions and the false-refusal rate on the others.

    >>> qs = {"a": Query("a", "?", answer=""), "b": Query("b", "?", answer="x"), "c": Query("c", "?", answer="y")}
    >>> rec = lambda q, cov: AnswerRecord(q, True, "", True, cov, True, 1.0, None, True, (), "", 1, 0.0)
    >>> refusal_counts([rec("a", 0.2), rec("b", 0.3), rec("c", 0.9)], qs, 0.5)
    {'threshold': 0.5, 'refusal_precision': 0.5, 'refusal_recall': 1.0, 'false_refusal_rate': 0.5}
    """
    should = [r for r in records if queries[r.qid].expects_refusal]
    others = [r for r in records if not queries[r.qid].expects_refusal]
    refused_right = sum(r.refused_at(threshold) for r in should)
    refused_wrong = sum(r.refused_at(threshold) for r in others)
    return {
        "threshold": threshold,
        "refusal_precision": _ratio(refused_right, refused_right + refused_wrong),
        "refusal_recall": _ratio(refused_right, len(should)),
        "false_refusal_rate": _ratio(refused_wrong, len(others)),
    }


def gold_ok(record: AnswerRecord, threshold: float) -> bool:
    """The answer survives the threshold and carries the gold fact."""
    return bool(record.gold) and not record.refused_at(threshold)


def _gold_rate(records: Sequence[AnswerRecord], queries: Mapping[str, Query], threshold: float) -> float | None:
    return mean(float(gold_ok(r, threshold)) for r in records if not queries[r.qid].expects_refusal)


def answer_summary(records: Sequence[AnswerRecord], queries: Mapping[str, Query], threshold: float) -> dict:
    """All answer-level numbers at ``threshold`` (follow-ups counted with their history except where noted)."""
    main = [r for r in records if r.with_history]
    answered = [r for r in main if not r.refused_at(threshold)]
    followups = [r for r in main if queries[r.qid].history]
    bare = [r for r in records if not r.with_history]
    by_type: dict[str, dict] = {}
    for t in sorted({queries[r.qid].type for r in main}):
        these = [r for r in main if queries[r.qid].type == t]
        by_type[t] = {
            "n": len(these),
            "gold_fact_rate": _gold_rate(these, queries, threshold),
            "refused": mean(float(r.refused_at(threshold)) for r in these),
            "markers_supported": mean(float(r.markers_ok) for r in these if not r.refused_at(threshold)),
        }
    seconds = [r.seconds for r in records]
    return {
        "n": len(main),
        "threshold": threshold,
        "gold_fact_rate": _gold_rate(main, queries, threshold),
        "markers_supported": mean(float(r.markers_ok) for r in answered),
        "answers_with_unsupported_markers": sum(not r.markers_ok for r in answered),
        **{k: v for k, v in refusal_counts(main, queries, threshold).items() if k != "threshold"},
        "followup_gold_with_history": _gold_rate(followups, queries, threshold),
        "followup_gold_without_history": _gold_rate(bare, queries, threshold),
        "n_followups": len(followups),
        "seconds_mean": mean(seconds),
        "seconds_max": max(seconds, default=None),
        "seconds_p50": percentile(seconds, 50),
        "seconds_p95": percentile(seconds, 95),
        "answer_chars_median": percentile([len(strip_markers(r.text)) for r in answered], 50),
        **typed_lengths(answered),
        "short_answer_right": short_right(answered, queries),
        "by_type": by_type,
    }


def short_right(answered: Sequence[AnswerRecord], queries: Mapping[str, Query]) -> float | None:
    """Of the span-led answers that hold the gold answer, the share whose span is it (holds it, or is part of it:
    ``宣武帝`` for ``北魏宣武帝``); a wrong span leading a right sentence counts against it.

    >>> rec = lambda text, short: AnswerRecord("q", True, text, True, 1.0, True, 1.0, True, True, (), "", 1, 0.0, short)
    >>> q = {"q": Query("q", "哪支队获得一等奖？", answer="永顺镇总工会代表队")}
    >>> short_right([rec("永顺镇总工会代表队[1]。…[1]", "永顺镇总工会代表队"), rec("二等奖[1]。永顺镇总工会代表队获一等奖[1]", "二等奖")], q)
    0.5
    """
    judged = [r for r in answered if r.short and r.gold and queries[r.qid].answer]
    return mean(float(bool(gold_present(r.short, queries[r.qid]))
                      or any(contains(g, r.short) for g in (queries[r.qid].answer, *queries[r.qid].alternatives)))
                for r in judged)


def typed_lengths(answered: Sequence[AnswerRecord]) -> dict:
    """Medians over the answers that lead with a span (typed questions): the whole answer and the span alone.

    >>> rec = lambda text, short: AnswerRecord("q", True, text, True, 1.0, True, 1.0, None, True, (), "", 1, 0.0, short)
    >>> typed_lengths([rec("四支[1]。晋级决赛的四支代表队[1]", "四支"), rec("因为下雨。[1]", None)])
    {'typed_answers': 1, 'typed_answer_chars_median': 13.0, 'short_answer_chars_median': 2.0}
    """
    typed = [r for r in answered if r.short]
    return {"typed_answers": len(typed),
            "typed_answer_chars_median": percentile([len(strip_markers(r.text)) for r in typed], 50),
            "short_answer_chars_median": percentile([len(r.short or "") for r in typed], 50)}


def threshold_sweep(records: Sequence[AnswerRecord], queries: Mapping[str, Query],
                    thresholds: Sequence[float] = THRESHOLDS) -> list[dict]:
    """Refusal precision/recall, false-refusal rate and gold-fact rate for each threshold."""
    main = [r for r in records if r.with_history]
    return [{**refusal_counts(main, queries, t), "gold_fact_rate": _gold_rate(main, queries, t)} for t in thresholds]
