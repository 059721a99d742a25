"""Features of candidate sentences for the fitted ranker, pure (numpy over the scored candidates).

One row per candidate sentence, columns named in :data:`FEATURES`: meaning (sentence-vector cosine, absolute and
against the pool's best), wording (idf-weighted key-term coverage of the sentence, its article and its neighbours;
character bigrams of the question's content), the asked-for answer type, where the question's wording around its
interrogative lines up in the sentence, position in the article and retrieval rank.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rag.ingest.textnorm import search_form

from .analysis import Analysis
from .evidence import (
    QueryTerms,
    Sentence,
    article_coverage,
    coverage,
    credit_bonus,
    dense_strength,
    type_bonus,
)
from .quantities import _DATE, _MONEY, _PERCENT

FEATURES = ("cosine", "cosine_gap", "dense", "coverage", "coverage_gap", "article_coverage", "heading_coverage",
            "neighbour_coverage", "bigram", "bigram_gap", "slot_left", "slot_right", "type_bonus", "type_match",
            "type_in_question_only", "credit", "first", "position", "rank", "length", "title_echo", "residual",
            "residual_gap")

#: what the sentence ranker sees: the features, then the hand-weighted order (candidates come in that order)
RANKER_FEATURES = (*FEATURES, "hand_rank")


def with_order(x: np.ndarray) -> np.ndarray:
    """``x`` (rows in hand-scored order) with the ``hand_rank`` column, ``1 / (1 + position)``."""
    order = (1.0 / (1.0 + np.arange(len(x), dtype=np.float32)))[:, None]
    return np.hstack([x, order]).astype(np.float32)


_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万亿]+[个家名位项次年月日天人元]")
_TYPE_PATTERNS = {"date": _DATE, "money": _MONEY, "percent": _PERCENT, "number": _NUMBER}


def bigrams(text: str) -> set[str]:
    chars = [c for c in search_form(text) if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def _affix_share(left: str, right: str, form: str) -> tuple[float, float]:
    """How much of the words right before / after the interrogative stand verbatim in ``form`` (0..1 each)."""

    def longest(needle: str, suffix: bool) -> int:
        for n in range(min(len(needle), 12), 1, -1):
            if (needle[-n:] if suffix else needle[:n]) in form:
                return n
        return 0

    left, right = re.sub(r"[，,、\s]+$", "", left), re.sub(r"^[，,、\s]+", "", right)
    return (longest(left, True) / min(len(left), 12) if len(left) >= 2 else 0.0,
            longest(right, False) / min(len(right), 12) if len(right) >= 2 else 0.0)


def _type_match(a: Analysis, form: str, question: str) -> tuple[float, float]:
    """(the sentence has a span of the asked-for type not in the question, it has one only in the question)."""
    pattern = _TYPE_PATTERNS.get(a.kind)
    if pattern is None:
        return 0.0, 0.0
    found = [m.group(0) for m in pattern.finditer(form)]
    fresh = [f for f in found if f not in question]
    return float(bool(fresh)), float(bool(found) and not fresh)


def sentence_features(pool: Sequence[Sentence], q: QueryTerms, a: Analysis, legacy_type: str,
                      cosines: Sequence[float | None] | None = None) -> np.ndarray:
    """A ``(len(pool), len(FEATURES))`` float32 matrix."""
    n = len(pool)
    cos = np.array([c if c is not None else 0.0 for c in (cosines or [None] * n)], dtype=np.float32)
    content_grams = bigrams(a.content or a.question)
    cover = np.array([coverage(q, s.text) if q.terms else 0.0 for s in pool], dtype=np.float32)
    heading = np.array([coverage(q, s.text, s.article.heading) if q.terms else 0.0 for s in pool], dtype=np.float32)
    arts: dict[str, float] = {}
    art = np.array([arts.setdefault(s.article.id, article_coverage(q, s.article)) if q.terms else 0.0 for s in pool],
                   dtype=np.float32)
    # within an article about X, "X的花是什么样子" is answered by the sentence about 花: the key terms its title
    # does not already say
    rests: dict[str, QueryTerms | None] = {}
    resid = np.array([_coverage_or(rests.setdefault(s.article.id, _beyond_title(q, s.article.title)), s.text, cover[i])
                      for i, s in enumerate(pool)], dtype=np.float32)
    grams = np.array([len(content_grams & bigrams(s.text)) / len(content_grams) if content_grams else 0.0
                      for s in pool], dtype=np.float32)
    # neighbours: the sentences just before and after in the same article, when they are candidates too
    by_pos = {(s.article.id, s.start): i for i, s in enumerate(pool)}
    order: dict[str, list[int]] = {}
    for s in pool:
        order.setdefault(s.article.id, []).append(s.start)
    for starts in order.values():
        starts.sort()
    rows = []
    for i, s in enumerate(pool):
        starts = order[s.article.id]
        j = starts.index(s.start)
        near = [by_pos[(s.article.id, starts[k])] for k in (j - 1, j + 1) if 0 <= k < len(starts)]
        form = search_form(s.text)
        left, right = _affix_share(a.left, a.right, form)
        fresh, only_q = _type_match(a, form, a.question)
        body_len = max(len(s.article.body), 1)
        title = bigrams(s.article.title)
        rows.append((
            cos[i], cos[i] - cos.max(), dense_strength(float(cos[i])) if cosines else 0.0,
            cover[i], cover[i] - cover.max(), art[i], heading[i],
            max((cover[k] for k in near), default=0.0), grams[i], grams[i] - grams.max(), left, right,
            type_bonus(legacy_type, q, s.text), fresh, only_q, credit_bonus(a.question, s.text),
            float(s.start == _first_start(s)), s.start / body_len, 1.0 / (1.0 + s.rank),
            math.log1p(len(s.text)) / 5.0,
            len(title & bigrams(s.text)) / len(title) if title else 0.0,
            resid[i], resid[i] - resid.max(),
        ))
    return np.asarray(rows, dtype=np.float32).reshape(n, len(FEATURES))


def _beyond_title(q: QueryTerms, title: str) -> QueryTerms | None:
    """The key terms ``title`` does not contain (None when it contains all of them, or there are none)."""
    form = search_form(title)
    kept = [(t, w) for t, w in zip(q.terms, q.weights, strict=True) if t not in form]
    if not kept or len(kept) == len(q.terms):
        return None
    return replace(q, terms=tuple(t for t, _ in kept), weights=tuple(w for _, w in kept))


def _coverage_or(rest: QueryTerms | None, text: str, fallback: float) -> float:
    return coverage(rest, text) if rest is not None else float(fallback)


def _first_start(s: Sentence) -> int:
    body = s.article.body
    i = 0
    while i < len(body) and body[i].isspace():
        i += 1
    return i
