"""Value rules that depend on settings (so they cannot live in the static schemas); each failure is a 400."""

from __future__ import annotations

from rag.config import Settings
from rag.errors import InputError


def check_question(text: str, settings: Settings, what: str = "question") -> str:
    """The stripped text, or InputError if it is empty or longer than ``RAG_MAX_QUESTION_CHARS``."""
    stripped = text.strip()
    if not stripped:
        raise InputError(f"the {what} is empty; ask in words, e.g. 哪些区举办了集体协商比赛？")
    if len(stripped) > settings.max_question_chars:
        raise InputError(f"the {what} has {len(stripped)} characters; the limit is {settings.max_question_chars}.")
    return stripped


def check_k(k: int | None, settings: Settings) -> int | None:
    if k is not None and not 1 <= k <= settings.max_k:
        raise InputError(f"k must be between 1 and {settings.max_k}, got {k}.")
    return k
