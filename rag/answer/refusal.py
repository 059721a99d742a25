"""When to refuse: a named thing in the question that no retrieved article mentions (pure but for tagging)."""

from __future__ import annotations

from collections.abc import Sequence

from ..gazetteer import find_districts, find_organisations, find_places
from ..textnorm import search_form
from ..tokenize import Tokenizer
from ..types import Article

_NAME_TAGS = {"nr", "nrt", "ns", "nt"}
_GENERIC = {"北京", "北京市", "首都", "中国", "全国", "全市", "市总工会", "北京市总工会"}


def question_entities(question: str, tokenizer: Tokenizer) -> list[str]:
    """Districts, places, organisations and tagged names (people, places, organisations) in a question."""
    found = [*find_districts(question), *find_places(question), *find_organisations(question)]
    found += [w for w, flag in tokenizer.tag(question) if flag in _NAME_TAGS and len(w) >= 2]
    return [e for e in dict.fromkeys(found) if e not in _GENERIC]


def missing_entities(question: str, articles: Sequence[Article], tokenizer: Tokenizer) -> list[str]:
    """Entities of the question that none of ``articles`` mentions.

    A district counts as mentioned when the article is about it (``article.districts``) or names it.
    """
    texts = {a.id: search_form(f"{a.title}\n{a.subtitle}\n{a.body}") for a in articles}
    districts = {d for a in articles for d in a.districts}
    missing = []
    for entity in question_entities(question, tokenizer):
        if entity in districts:
            continue
        form = search_form(entity)
        if not any(form in text for text in texts.values()):
            missing.append(entity)
    return missing
