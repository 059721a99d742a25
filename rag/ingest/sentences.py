"""Sentence spans in Chinese text, pure.

A sentence ends at ``。！？；`` (or their half-width forms, or ``…`` before a closing quote), together with any
closing quotes/brackets that follow. Spans are ``(start, end)`` offsets, so a citation can point at the exact text.
"""

from __future__ import annotations

import re

from rag.types import Article, SentenceKey

_END = "。！？；!?;"
_CLOSE = "”’」』）)》"
_SENTENCE = re.compile(rf"[^{_END}\n]*?(?:[{_END}]+[{_CLOSE}]*|…+[{_CLOSE}]+|$|\n)", re.S)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Non-empty sentence spans of ``text[start:end]``, whitespace trimmed.

    >>> t = "他说：“好。”我们走吧！对"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['他说：“好。”', '我们走吧！', '对']
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _SENTENCE.finditer(text, start, end):
        a, b = match.span()
        if b <= pos and a == b:
            continue
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
        pos = match.end()
    return spans


def ends_sentence(text: str) -> bool:
    """Does this line end a sentence (so a following line starts a new paragraph)?

    >>> ends_sentence("推动解决职"), ends_sentence("表示祝贺。"), ends_sentence("心声……”"), ends_sentence("将“要我安全”")
    (False, True, True, False)
    """
    stripped = text.rstrip()
    core = stripped.rstrip(_CLOSE)
    if not core:
        return False
    return core[-1] in "。！？!?…" or (core[-1] in "：:" and stripped != core)


#: shorter spans are not embedded as sentences
MIN_SENTENCE = 4


def article_sentences(article: Article) -> list[SentenceKey]:
    """Sentence spans of an article body worth embedding."""
    return [(article.id, a, b) for a, b in sentence_spans(article.body) if b - a >= MIN_SENTENCE]


def sentence_text(article: Article, start: int, end: int) -> str:
    """What is embedded for a sentence: the title gives it context ("那位代表" → which event)."""
    return f"{article.title}：{article.body[start:end]}"
