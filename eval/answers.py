"""Answer-level run: ask every question once and keep what threshold-free metrics need.

The refusal threshold only gates an otherwise finished answer on ``extra["coverage"]``, so the questions are asked
once with ``refusal_threshold=0`` and each record keeps its coverage; :func:`refused_at` then tells what any
threshold would have done (answers refused for other reasons stay refused). Follow-ups are asked twice: with their
history (the normal case) and without it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from tqdm import tqdm

import rag.answer as answer_module
from rag import Library
from rag.answer import answer
from rag.answer.evidence import query_terms
from rag.answer.verify import MARKER, verify
from rag.ingest.textnorm import to_simplified
from rag.types import Answer, Article

from .dataset import Query
from .text import contains, strip_markers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerRecord:
    qid: str
    with_history: bool
    text: str
    answered: bool  # answerable at threshold 0, i.e. not refused for a reason other than the threshold
    coverage: float  # what the threshold is compared with (1.0 when the answer carries none)
    gated: bool  # whether ``refusal_threshold`` applies (the lexical path; the dense path has its own threshold)
    scale: float  # the threshold is multiplied by this for this question (list questions ask for less)
    gold: bool | None  # gold fact present in the text (None: no gold to check)
    markers_ok: bool  # every [n] exists in the citations and the citation check finds no problem
    problems: tuple[str, ...]
    question_used: str
    citations: int
    seconds: float
    short: str | None = None  # the answer's span for a typed question (None for descriptive and list answers)

    def refused_at(self, threshold: float) -> bool:
        """Would the answer be refused with ``refusal_threshold = threshold``?"""
        return not self.answered or (self.gated and self.coverage < threshold * self.scale)


def gold_present(text: str, query: Query) -> bool | None:
    """The gold answer (or, for a list question, every item) occurs in ``text``; None when there is no gold.

    >>> gold_present("在北京市总工会职工服务中心召开[1]", Query("q", "在哪开的", answer="北京市总工会职工服务中心"))
    True
    >>> gold_present("在1998年[1]", Query("q", "哪一年", answer="1998", alternatives=("1998年",)))
    True
    >>> gold_present("通州区[1]", Query("q", "哪些区", answer="", items=("通州区", "昌平区")))
    False
    """
    # compared in one script: a Traditional question is answered in Traditional, its gold may be Simplified
    if query.items:
        plain = to_simplified(strip_markers(text))
        return all(contains(plain, to_simplified(item)) for item in query.items)
    if query.answer:
        plain = to_simplified(strip_markers(text))
        return any(contains(plain, to_simplified(gold)) for gold in (query.answer, *query.alternatives))
    return None


def marker_check(result: Answer, articles: Mapping[str, Article]) -> tuple[bool, tuple[str, ...]]:
    """(all markers supported, problems) — checked again here, independently of the composer."""
    numbers = {int(m.group(1)) for m in MARKER.finditer(result.answer)}
    known = {c.n for c in result.citations}
    problems = [f"[{n}] has no citation" for n in sorted(numbers - known)]
    problems += verify(result.answer, result.citations, articles)[2]
    return not problems, tuple(problems)


def _gate(lib: Library, result: Answer) -> tuple[bool, float]:
    """(does ``refusal_threshold`` apply to this answer, by what factor is it scaled).

    Taken from ``extra["gate"]`` / ``extra["threshold_factor"]`` when the composer reports them; otherwise this
    mirrors :func:`rag.answer.answer`: the threshold gates questions judged by their words (Chinese ones, or an
    English question with glossary words), the dense path has its own; list questions ask for less.
    """
    extra = result.extra
    if "gate" in extra and "threshold_factor" in extra:
        return extra["gate"] == "coverage", float(extra["threshold_factor"])  # type: ignore[arg-type]
    used = result.question_used
    is_foreign = getattr(answer_module, "is_foreign", None)
    bridge = getattr(answer_module, "bridge", None)
    if is_foreign is not None and bridge is not None:
        lexical = not is_foreign(used) or bool(bridge(used)[0])
    else:  # the composer before English bridging
        q = query_terms(used, lib.tokenizer, lib.index)
        lexical = bool(q.terms) and q.total > 0
    scale = float(getattr(answer_module, "LIST_THRESHOLD_FACTOR", 1.0)) if result.question_type == "list" else 1.0
    return lexical, scale


def ask(lib: Library, query: Query, with_history: bool = True) -> AnswerRecord:
    """One answer from ``lib`` (to be called inside :func:`threshold_free`)."""
    history = list(query.history) if with_history and query.history else None
    start = time.perf_counter()
    result = answer(lib, query.text, history=history)
    seconds = time.perf_counter() - start
    coverage = result.extra.get("coverage")
    markers_ok, problems = marker_check(result, lib.index.articles) if result.answerable else (True, ())
    gated, scale = _gate(lib, result)
    has_fact = query.has_gold and not query.expects_refusal
    gold = (result.answerable and bool(gold_present(result.answer, query))) if has_fact else None
    return AnswerRecord(
        qid=query.id, with_history=with_history, text=result.answer, answered=result.answerable,
        coverage=float(coverage) if isinstance(coverage, int | float) else 1.0, gated=gated, scale=scale,
        gold=gold, markers_ok=markers_ok, problems=problems, question_used=result.question_used,
        citations=len(result.citations), seconds=round(seconds, 4),
        short=result.short_answer if result.answerable else None,
    )


@contextmanager
def threshold_free(lib: Library) -> Iterator[None]:
    """``lib`` with ``refusal_threshold=0`` for the duration (its settings are restored afterwards)."""
    saved = lib.settings
    lib.settings = saved.model_copy(update={"refusal_threshold": 0.0})
    try:
        yield
    finally:
        lib.settings = saved


def answer_all(lib: Library, queries: Sequence[Query], progress: bool = True) -> list[AnswerRecord]:
    """Every query asked as written (follow-ups with history), then follow-ups again without history."""
    jobs = [(q, True) for q in queries] + [(q, False) for q in queries if q.history]
    with threshold_free(lib):
        return [ask(lib, q, with_history)
                for q, with_history in tqdm(jobs, desc="answering", unit="question", disable=not progress)]
