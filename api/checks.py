"""Value rules that depend on settings (so they cannot live in the static schemas); each failure is a 400."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from rag.config import Settings
from rag.errors import InputError
from rag.ingest.textnorm import has_visible


class _Turn(Protocol):
    role: str
    content: str


def check_question(text: str, settings: Settings, what: str = "question") -> str:
    """The stripped text, or InputError if it is empty or longer than ``RAG_MAX_QUESTION_CHARS``."""
    stripped = text.strip()
    if not has_visible(stripped):  # blank, or only zero-width, format or control characters
        raise InputError(f"the {what} is empty; ask in words, e.g. 哪些区举办了集体协商比赛？")
    if len(stripped) > settings.max_question_chars:
        raise InputError(f"the {what} has {len(stripped)} characters; the limit is {settings.max_question_chars}.")
    return stripped


def check_history(history: Sequence[_Turn], settings: Settings) -> None:
    """Earlier user turns are earlier questions and have the question's length limit.

    A follow-up is rewritten with the previous question folded in, so an unbounded user turn would make an
    unbounded question (and the answer pipeline's cost grows faster than linearly with the question's length).
    Assistant turns (earlier answers) may be longer.
    """
    for n, turn in enumerate(history, start=1):
        if turn.role == "user" and len(turn.content.strip()) > settings.max_question_chars:
            raise InputError(f"history turn {n} (user) has {len(turn.content.strip())} characters; earlier "
                             f"questions have the question's limit of {settings.max_question_chars}.")


def check_k(k: int | None, settings: Settings) -> int | None:
    if k is not None and not 1 <= k <= settings.max_k:
        raise InputError(f"k must be between 1 and {settings.max_k}, got {k}.")
    return k
