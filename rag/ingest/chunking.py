"""Article → chunks, pure. Sentence-aware windows of ~``size`` characters with ~``overlap`` characters of
whole sentences repeated between neighbours; offsets point into the article body."""

from __future__ import annotations

import re

from rag.types import Article, Chunk

from .sentences import sentence_spans


def _pieces(body: str, size: int) -> list[tuple[int, int]]:
    """Sentence spans, with sentences longer than ``size`` cut at commas (or hard at ``size``)."""
    out: list[tuple[int, int]] = []
    for a, b in sentence_spans(body):
        while b - a > size:
            window = body[a : a + size]
            cut = max((m.end() for m in re.finditer(r"[，、：,]", window)), default=0)
            cut = cut if cut > size // 3 else size
            out.append((a, a + cut))
            a += cut
        out.append((a, b))
    return out


def chunk_spans(body: str, size: int = 300, overlap: int = 60) -> list[tuple[int, int]]:
    """Windows over ``body`` made of whole sentences.

    >>> body = "甲" * 5 + "。" + "乙" * 5 + "。" + "丙" * 5 + "。"
    >>> [body[a:b] for a, b in chunk_spans(body, size=13, overlap=6)]
    ['甲甲甲甲甲。乙乙乙乙乙。', '乙乙乙乙乙。丙丙丙丙丙。']
    """
    pieces = _pieces(body, size)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        j = i
        while j + 1 < len(pieces) and pieces[j + 1][1] - pieces[i][0] <= size:
            j += 1
        spans.append((pieces[i][0], pieces[j][1]))
        if j + 1 >= len(pieces):
            break
        nxt = j + 1
        while nxt - 1 > i and pieces[j][1] - pieces[nxt - 1][0] <= overlap:
            nxt -= 1
        # when even the last sentence is longer than the overlap, repeat it anyway if it is not too long
        if nxt == j + 1 and j > i and pieces[j][1] - pieces[j][0] <= 2 * overlap:
            nxt = j
        i = nxt
    return spans


def chunk_article(article: Article, size: int = 300, overlap: int = 60) -> list[Chunk]:
    """Chunks of one article; ids are ``"{article_id}:{n}"``."""
    return [
        Chunk(
            id=f"{article.id}:{n}",
            article_id=article.id,
            n=n,
            text=article.body[a:b],
            start=a,
            end=b,
            title=article.title,
            heading=article.heading,
            source=article.source,
            districts=article.districts,
            regions=article.regions,
            date=article.date,
        )
        for n, (a, b) in enumerate(chunk_spans(article.body, size, overlap))
    ]
