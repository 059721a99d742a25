"""Answers with verified citations.

``answer(lib, question, history=None, k=None, filters=None) -> Answer``: rewrite a follow-up into a standalone
question, retrieve, pick answer-bearing sentences by question type, compose (extractive by default, or through an
OpenAI-compatible model when one is configured), check every ``[n]`` marker, or refuse plainly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from ..errors import InputError
from ..textnorm import has_visible
from ..types import Answer, Filters, Hit, Related
from .compose import Draft, list_answer, sentences_answer
from .english import bridge, is_foreign
from .evidence import Sentence, candidates, query_terms, score
from .qtype import classify, list_target
from .refusal import asked_unit_absent, missing_entities, missing_numbers, role_holder_absent
from .rewrite import rewrite
from .verify import verify

log = logging.getLogger(__name__)

REFUSAL = "未在已收录的报道中找到相关信息。"
LIST_K = 24
LIST_THRESHOLD_FACTOR = 0.7
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


def _sentences_of(ranked: Sequence[Sentence], articles: Sequence) -> list[Sentence]:
    ids = {a.id for a in articles}
    return [s for s in ranked if s.article.id in ids]


def validate_question(question: str, max_chars: int) -> str:
    if not isinstance(question, str) or not has_visible(question):  # zero-width or control only: empty too
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
    # an English question also carries its key words in Chinese, for the keyword side
    bridged, foreign_unknown = bridge(used) if is_foreign(used) else ("", ())
    query = f"{used} {bridged}".strip()
    hits = lib.search(query, min(settings.max_k, LIST_K if qtype == "list" else k), None, filters)
    related = _related(hits)
    refusal = Answer(REFUSAL, False, used, (), related, qtype)
    if not hits:
        return refusal
    q = query_terms(bridged or used, lib.tokenizer, index)
    if foreign_unknown:
        q = replace(q, unknown=q.unknown + foreign_unknown)
    pool = candidates(index, hits)
    # judged by its words when it has Chinese ones (or glossary words); otherwise by meaning alone
    lexical = not is_foreign(used) or bool(bridged)
    # a list of people wants sentences naming people, like a "who" question
    wants = "person" if qtype == "list" and list_target(used) == "person" else qtype
    if len(index.sentences):
        cosines = index.sentences.similarities(lib.encode(used), [(s.article.id, s.start) for s in pool])
        ranked = score(pool, q, wants, used, cosines)
    else:
        ranked = score(pool, q, wants, used) if lexical else _dense_rank(lib, used, pool)
    if not ranked:
        return refusal
    top_articles = list({s.article.id: s.article for s in ranked[:40]}.values())
    # the articles the answer would come from: numbers and units asked for must be in them
    answer_articles = list({s.article.id: s.article for s in ranked[:3]}.values())
    missing = missing_entities(used, top_articles, lib.tokenizer) + missing_numbers(used, answer_articles)
    if qtype == "number" and (unit := asked_unit_absent(used, [s.text for s in _sentences_of(ranked, answer_articles)])):
        missing.append(f"a number of {unit}")
    pairs = [(s.text, s.article.body) for s in _sentences_of(ranked, top_articles[:5])]
    if qtype == "person" and (role := role_holder_absent(used, pairs)):
        missing.append(role)
    # a list question's items each meet only part of its wording ("外卖员、快递员或…"), so it asks for less
    factor = LIST_THRESHOLD_FACTOR if qtype == "list" else 1.0
    threshold = settings.refusal_threshold * factor
    signals = {"coverage": round(max(s.coverage for s in ranked[:10]) * q.known_share, 4),
               "cosine": round(max(s.cosine for s in ranked[:10]), 4), "missing": missing,
               "gate": "coverage" if lexical else "cosine", "threshold_factor": factor}
    weak = (signals["coverage"] < threshold if lexical else signals["cosine"] < settings.dense_refusal_threshold)
    if missing or weak:
        log.info("refused a question of %d characters: %s", len(used), signals)  # questions are not logged
        return Answer(REFUSAL, False, used, (), related, qtype, extra=signals)
    draft: Draft | None = None
    if qtype == "list" and lexical:
        target = list_target(used)
        condition = query_terms(bridged or used, lib.tokenizer, index, ignore=TARGET_WORDS.get(target, frozenset()))
        draft = list_answer(used, ranked, condition, target)
    if draft is None:
        draft = sentences_answer(ranked, qtype)
    text, citations, problems = verify(draft.text, draft.citations, index.articles)
    mode = "extractive"
    if settings.llm_base_url:
        from .llm import generate

        generated = generate(settings, used, ranked, draft)
        if generated is not draft:
            g_text, g_citations, g_problems = verify(generated.text, generated.citations, index.articles)
            problems += g_problems
            if g_citations:  # the model's answer survives the check; otherwise keep the extractive one
                text, citations, mode = g_text, g_citations, "generative"
    if problems:
        log.warning("citation check dropped: %s", "; ".join(problems))
    if not citations:
        return refusal
    signals["mode"] = mode
    return Answer(text, True, used, citations, related, qtype, extra=signals)
