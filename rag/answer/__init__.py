"""Answers with verified citations.

``answer(lib, question, history=None, k=None, filters=None) -> Answer``: rewrite a follow-up into a standalone
question, retrieve, pick answer-bearing sentences by question type, compose (extractive by default, or through an
OpenAI-compatible model when one is configured), check every ``[n]`` marker, or refuse plainly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..errors import InputError
from ..types import Answer, Filters, Hit, Related
from .compose import Draft, list_answer, sentences_answer
from .evidence import Sentence, candidates, query_terms, score
from .qtype import classify, list_target
from .refusal import asked_unit_absent, missing_entities, missing_numbers
from .rewrite import rewrite
from .verify import verify

log = logging.getLogger(__name__)

REFUSAL = "未在已收录的报道中找到相关信息。"
LIST_K = 24
#: words naming the kind of item a list question wants; they are not part of the condition items must meet
TARGET_WORDS = {
    "district": frozenset({"区", "城区", "哪些区", "各区"}),
    "place": frozenset({"街道", "镇", "乡", "地方"}),
    "organisation": frozenset({"单位", "企业", "公司", "工会", "组织", "机构", "部门", "哪家", "家"}),
    "person": frozenset({"人", "位", "领导", "人员"}),
}


def _related(hits: Sequence[Hit], limit: int = 3) -> tuple[Related, ...]:
    out: dict[str, Related] = {}
    for h in hits:
        if h.article_id not in out and len(out) < limit:
            out[h.article_id] = Related(h.article_id, h.chunk.title, h.chunk.source, round(h.score, 4))
    return tuple(out.values())


def _dense_rank(lib, question: str, sentences: list[Sentence], limit: int = 40) -> list[Sentence]:
    """Rank sentences by embedding similarity (for questions whose words the corpus does not share, e.g. English)."""
    pool = sorted(sentences, key=lambda s: (s.rank, s.start))[:limit]
    if not pool:
        return []
    q = lib.encode(question)
    vectors = lib.embedder.embed_documents([f"{s.article.title} {s.text}" for s in pool])
    sims = vectors @ q
    ranked = [Sentence(s.article, s.chunk, s.start, s.end, s.text, s.rank, float(v) + 0.02 / (1 + s.rank), float(v))
              for s, v in zip(pool, sims, strict=True)]
    return sorted(ranked, key=lambda s: (-s.score, s.rank))


def validate_question(question: str, max_chars: int) -> str:
    if not isinstance(question, str) or not question.strip():
        raise InputError("question is empty; ask a question in words.")
    if len(question) > max_chars:
        raise InputError(f"question is {len(question)} characters long; the limit is {max_chars}.")
    return question.strip()


def answer(lib, question: str, history: Sequence[dict] | None = None, k: int | None = None,
           filters: Filters | None = None) -> Answer:
    """Answer ``question`` (optionally a follow-up to ``history``) from ``lib``'s index."""
    settings = lib.settings
    question = validate_question(question, settings.max_question_chars)
    used = rewrite(question, history)
    qtype = classify(used)
    index = lib.index
    k = k or settings.answer_k
    hits = lib.search(used, min(settings.max_k, LIST_K if qtype == "list" else k), None, filters)
    related = _related(hits)
    refusal = Answer(REFUSAL, False, used, (), related, qtype)
    if not hits:
        return refusal
    q = query_terms(used, lib.tokenizer, index)
    pool = candidates(index, hits)
    lexical = bool(q.terms) and q.total > 0
    ranked = score(pool, q, qtype) if lexical else _dense_rank(lib, used, pool)
    if not ranked:
        return refusal
    top_articles = list({s.article.id: s.article for s in ranked[:40]}.values())
    missing = missing_entities(used, top_articles, lib.tokenizer) + missing_numbers(used, top_articles[:5])
    if qtype == "number" and (unit := asked_unit_absent(used, [s.text for s in ranked[:30]])):
        missing.append(f"a number of {unit}")
    threshold = settings.refusal_threshold if lexical else settings.dense_refusal_threshold
    if missing or ranked[0].coverage < threshold:
        log.info("refused %r: best coverage %.3f, missing %s", used, ranked[0].coverage, missing)
        return Answer(REFUSAL, False, used, (), related, qtype,
                      extra={"coverage": round(ranked[0].coverage, 4), "missing": missing})
    draft: Draft | None = None
    if qtype == "list" and lexical:
        target = list_target(used)
        condition = query_terms(used, lib.tokenizer, index, ignore=TARGET_WORDS.get(target, frozenset()))
        draft = list_answer(used, ranked, condition, target)
    if draft is None:
        draft = sentences_answer(ranked, qtype)
    if settings.llm_base_url:
        from .llm import generate

        draft = generate(settings, used, ranked, draft)
    text, citations, problems = verify(draft.text, draft.citations, index.articles)
    if problems:
        log.warning("citation check dropped: %s", "; ".join(problems))
    if not citations:
        return refusal
    return Answer(text, True, used, citations, related, qtype,
                  extra={"best_score": float(np.round(ranked[0].score, 4)), "coverage": round(ranked[0].coverage, 4)})
