"""The citation check, pure: every ``[n]`` must point at a citation whose snippet supports the text before it.

A claim is the text between the previous marker (or line start) and its marker. It is supported when its snippet is
the exact article text at the cited offsets and most of the claim's character bigrams occur in the snippet (or the
article title). Unsupported claims and unknown markers are dropped; citations are renumbered in order of use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from rag.ingest.textnorm import search_form
from rag.types import Article, Citation

MARKER = re.compile(r"\[(\d+)\]")
_LIST_PREFIX = re.compile(r"^\s*(?:\d+[.、]|[-•·])\s*")


def _bigrams(text: str) -> set[str]:
    chars = [c for c in search_form(text) if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def support(claim: str, snippet: str, title: str = "") -> float:
    """Share of the claim's character bigrams found in the snippet or title (1.0 for an empty claim).

    >>> support("永顺镇总工会代表队荣获一等奖", "最终，永顺镇总工会代表队从全区20支队伍中脱颖而出，荣获此次大赛一等奖。") > 0.8
    True
    >>> support("海淀区获得一等奖", "永顺镇总工会代表队荣获一等奖。") < 0.5
    True
    """
    grams = _bigrams(_LIST_PREFIX.sub("", claim))
    if not grams:
        return 1.0
    return len(grams & (_bigrams(snippet) | _bigrams(title))) / len(grams)


def citation_is_exact(citation: Citation, articles: Mapping[str, Article]) -> bool:
    article = articles.get(citation.article_id)
    return (
        article is not None
        and article.body[citation.start : citation.end] == citation.snippet
        and citation.snippet in citation.text
    )


def verify(text: str, citations: Sequence[Citation], articles: Mapping[str, Article],
           min_support: float = 0.6) -> tuple[str, tuple[Citation, ...], list[str]]:
    """(checked text, used citations renumbered 1..n, problems found)."""
    by_n = {c.n: c for c in citations}
    problems: list[str] = []
    out_lines: list[str] = []
    renumber: dict[int, int] = {}
    for line in text.split("\n"):
        pieces, pos = [], 0
        for m in MARKER.finditer(line):
            claim = line[pos : m.start()]
            n = int(m.group(1))
            cite = by_n.get(n)
            if cite is None:
                problems.append(f"[{n}] points at no citation")
            elif not citation_is_exact(cite, articles):
                problems.append(f"[{n}] snippet is not the article's text at {cite.start}-{cite.end}")
            elif support(claim, cite.snippet, cite.title) < min_support:
                problems.append(f"[{n}] does not support: {claim.strip()[:40]}")
            else:
                renumber.setdefault(n, len(renumber) + 1)
                pieces.append(f"{claim}[{renumber[n]}]")
                pos = m.end()
                continue
            # drop the unsupported claim together with its marker
            pos = m.end()
        if pieces or not MARKER.search(line):
            out_lines.append("".join(pieces) + line[pos:])
    used = tuple(replace(by_n[old], n=new) for old, new in sorted(renumber.items(), key=lambda kv: kv[1]))
    return "\n".join(out_lines).strip(), used, problems
