"""Optional generative composer: an OpenAI-compatible chat endpoint writes the answer from numbered snippets.

Configured by ``RAG_LLM_BASE_URL`` (e.g. ``http://localhost:11434/v1``), ``RAG_LLM_MODEL`` and ``RAG_LLM_API_KEY``.
The model sees only the numbered snippets and must cite them as ``[n]``; its text then goes through the same
citation check as extractive answers. Any error, timeout or uncited reply falls back to the extractive draft.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import httpx

from rag.config import Settings
from rag.ingest.textnorm import search_form

from .compose import Draft, _Cites
from .evidence import Sentence
from .verify import MARKER

log = logging.getLogger(__name__)

SNIPPETS = 8
SYSTEM = (
    "你是工会新闻问答助手。只能依据用户给出的编号片段回答，用简体中文，简洁准确。"
    "每句话后面用[编号]标注所依据的片段，例如“……一等奖[2]”。片段中没有的信息不要写。"
    "如果片段不能回答问题，只回答：未在已收录的报道中找到相关信息。"
)


def snippets(ranked: Sequence[Sentence], draft: Draft, limit: int = SNIPPETS) -> tuple[list[Sentence], _Cites]:
    """The extractive draft's sentences first, then the next best distinct ones, numbered from 1."""
    cited = {(c.article_id, c.start) for c in draft.citations}
    chosen = [s for s in ranked if (s.article.id, s.start) in cited]
    seen = {search_form(s.text) for s in chosen}
    for s in ranked:
        if len(chosen) >= limit:
            break
        if search_form(s.text) not in seen and (s.article.id, s.start) not in cited:
            seen.add(search_form(s.text))
            chosen.append(s)
    cites = _Cites()
    for s in chosen:
        cites.add(s)
    return chosen, cites


def prompt(question: str, chosen: Sequence[Sentence]) -> str:
    lines = [f"[{i}]《{s.article.title}》（{s.article.source}）：{s.text}" for i, s in enumerate(chosen, 1)]
    return "片段：\n" + "\n".join(lines) + f"\n\n问题：{question}\n请回答，并在每句后标注[编号]。"


def generate(settings: Settings, question: str, ranked: Sequence[Sentence], draft: Draft) -> Draft:
    """The model's answer with citations, or ``draft`` unchanged when the model fails or cites nothing."""
    chosen, cites = snippets(ranked, draft)
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    body = {
        "model": settings.llm_model,
        "temperature": 0,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt(question, chosen)}],
    }
    url = f"{settings.llm_base_url.rstrip('/')}/chat/completions"
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=settings.llm_timeout)
        response.raise_for_status()
        text = response.json()["choices"][0]["message"]["content"].strip()
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        log.warning("generative answer failed (%s); using the extractive answer", type(exc).__name__)
        return draft
    if not MARKER.search(text):
        log.warning("generative answer cited nothing; using the extractive answer")
        return draft
    return Draft(text, tuple(cites.items))
