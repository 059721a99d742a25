"""Answers with verified citations.

``answer(lib, question, history=None, k=None, filters=None) -> Answer``: rewrite a follow-up into a standalone
question, analyse it (``analysis``: the interrogative, the answer type, the content to find), retrieve, rank the
candidate sentences with the fitted ranker (``pipeline``, ``features``, ``ranker``; parameters from
``python -m rag.answer.fit``), decide (``decide``: places, names, numbers and units the cited articles lack, then
the fitted answerability score), compose (``lead``: the answer span first for typed questions, 是/否 for yes/no,
1–3 sentences of one article for descriptive ones; ``compose``: lists across articles; or an OpenAI-compatible
model when one is configured), check every ``[n]`` marker, and reply in the asker's script — or refuse plainly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from rag.errors import InputError
from rag.ingest.textnorm import has_visible
from rag.types import Answer, Filters, Hit, Related

from .compose import Draft, list_answer, sentences_answer
from .decide import decide
from .english import bridge, is_foreign
from .evidence import query_terms
from .lead import asker_script, descriptive, fact_first, to_script, yes_no
from .pipeline import LIST_K, Prepared, prepare, runner_up
from .qtype import classify, list_target
from .rewrite import rewrite
from .verify import verify

__all__ = ["REFUSAL", "answer", "bridge", "classify", "is_foreign", "validate_question", "LIST_K"]

log = logging.getLogger(__name__)

REFUSAL = "未在已收录的报道中找到相关信息。"
#: words naming the kind of item a list question wants; they are not part of the condition items must meet
TARGET_WORDS = {
    "district": frozenset({"区", "城区", "哪些区", "各区"}),
    "place": frozenset({"街道", "镇", "乡", "地方"}),
    "organisation": frozenset({"单位", "企业", "公司", "工会", "组织", "机构", "部门", "哪家", "家"}),
    "person": frozenset({"人", "位", "领导", "人员"}),
}
#: adverbs of a list question's wording ("分别搞了哪些活动"): every item need not say them
LIST_ADVERBS = frozenset({"分别", "各自", "先后", "都"})


def _related(hits: Sequence[Hit], limit: int = 3) -> tuple[Related, ...]:
    out: dict[str, Related] = {}
    for h in hits:
        if h.article_id not in out and len(out) < limit:
            out[h.article_id] = Related(h.article_id, h.chunk.title, h.chunk.source, round(h.score, 4))
    return tuple(out.values())


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
    script = asker_script(question, history)  # a follow-up rewritten in Simplified is still answered in its script
    p = prepare(lib, used, k, filters)
    qtype, a, ranked = p.qtype, p.analysis, p.ranked
    related = _related(p.hits)
    refusal = Answer(to_script(REFUSAL, script), False, used, (), related, qtype)
    if not ranked:
        return refusal
    decision = decide(lib, p, settings)
    signals = decision.signals
    if decision.refuse:
        log.info("refused a question of %d characters: %s", len(used), signals)  # questions are not logged
        return Answer(to_script(REFUSAL, script), False, used, (), related, qtype, extra=signals)
    draft, short = compose(lib, p)
    text, citations, problems = verify(draft.text, draft.citations, lib.index.articles)
    mode = "extractive"
    if settings.llm_base_url:
        from .llm import generate

        generated = generate(settings, used, ranked, draft)
        if generated is not draft:
            g_text, g_citations, g_problems = verify(generated.text, generated.citations, lib.index.articles)
            problems += g_problems
            if g_citations:  # the model's answer survives the check; otherwise keep the extractive one
                text, citations, mode, short = g_text, g_citations, "generative", None
    if problems:
        log.warning("citation check dropped: %s", "; ".join(problems))
    if not citations:
        return refusal
    if short is not None and short not in text:
        short = None  # the check dropped the claim that carried it
    signals["mode"] = mode
    signals["kind"] = a.kind
    text = to_script(text, script, [c.snippet for c in citations])
    short = to_script(short, script, [c.snippet for c in citations]) if short else None
    return Answer(text, True, used, citations, related, qtype, short_answer=short, extra=signals)


def compose(lib, p: Prepared) -> tuple[Draft, str | None]:
    """The draft answer and its short answer (the span, for typed questions)."""
    a, ranked = p.analysis, p.ranked
    if p.qtype == "list" and p.lexical:
        target = list_target(p.used)
        condition = query_terms(p.bridged or a.content or p.used, lib.tokenizer, lib.index,
                                ignore=TARGET_WORDS.get(target, frozenset()) | LIST_ADVERBS)
        if (draft := list_answer(p.used, ranked, condition, target)) is not None:
            return draft, None
    if a.kind == "yesno":
        return yes_no(a, ranked), None
    if a.typed and p.lexical and (lead := fact_first(a, ranked, lib.tokenizer.tag, also=runner_up(p))) is not None:
        return lead
    if a.kind in {"reason", "method", "attribute", "definition"}:
        return descriptive(ranked, p.used), None
    return sentences_answer(ranked, p.qtype, p.used), None
