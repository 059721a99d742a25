"""Answers with verified citations (interface; the composer lives in the sibling modules)."""

from __future__ import annotations

from collections.abc import Sequence

from ..types import Answer, Citation, Filters

REFUSAL = "未在已收录的报道中找到相关信息。"


def answer(lib, question: str, history: Sequence[dict] | None = None, k: int | None = None,
           filters: Filters | None = None) -> Answer:
    """Answer ``question`` (optionally a follow-up to ``history``) from ``lib``'s index."""
    hits = lib.search(question, k or lib.settings.answer_k, None, filters)
    if not hits:
        return Answer(REFUSAL, False, question)
    top = hits[0]
    cite = Citation(1, top.article_id, top.chunk_id, top.chunk.title, top.chunk.source, top.chunk.text,
                    top.chunk.text, top.chunk.start, top.chunk.end, top.score)
    return Answer(top.chunk.text + "[1]", True, question, (cite,))
