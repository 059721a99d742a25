"""The fact-first lead: which of the best sentences the span comes from (hand-made sentences)."""

from __future__ import annotations

import pytest

from rag.answer.analysis import analyse
from rag.answer.evidence import Sentence
from rag.answer.lead import fact_first
from rag.answer.span import IN_SLOT, SLOT_ONLY, TYPED_ONLY, scored
from rag.ingest.tokenize import Tokenizer
from rag.types import Article, Chunk

BODY = ("近日，某区职工技能大赛决赛举办，全区20支队伍报名参赛。"
        "晋级决赛的四支代表队展现了良好风貌。"
        "区总工会副主席李明出席活动并致辞。")


@pytest.fixture(scope="module")
def tag():
    return Tokenizer().tag


def _ranked(order: list[int]) -> list[Sentence]:
    """The sentences of BODY, in the given rank order (best first)."""
    article = Article("a1", "某区职工技能大赛决赛举办", BODY, "test.txt")
    chunk = Chunk("a1:0", "a1", 0, BODY, 0, len(BODY), article.title, "", "test.txt")
    spans, start = [], 0
    for end in [i + 1 for i, ch in enumerate(BODY) if ch == "。"]:
        spans.append((start, end))
        start = end
    return [Sentence(article, chunk, spans[i][0], spans[i][1], BODY[spans[i][0]:spans[i][1]], rank, 1.0 - rank / 10)
            for rank, i in enumerate(order)]


def test_span_quality_orders_a_typed_span_in_the_slot_above_one_elsewhere_above_the_bare_slot(tag) -> None:
    a = analyse("决赛有几支代表队？")
    assert scored(a, "晋级决赛的四支代表队展现了良好风貌。", tag) == ("四支", IN_SLOT)
    assert scored(a, "全区20支队伍报名参赛。", tag) == ("20支", TYPED_ONLY)
    who = analyse("出席活动的区总工会副主席是谁？")
    assert scored(who, "区总工会副主席李明出席活动并致辞。", tag)[0] == "李明"
    assert scored(analyse("这次活动叫什么？"), "这次活动叫职工之家开放日。", tag) == ("职工之家开放日", SLOT_ONLY)


def test_the_span_comes_from_the_best_supported_of_the_best_sentences(tag) -> None:
    """The top sentence (the lead, which restates the title) only has a number of another thing; the second holds
    the number in the question's own wording: the answer leads with it and cites that sentence."""
    draft, short = fact_first(analyse("决赛有几支代表队？"), _ranked([0, 1, 2]), tag)
    assert short == "四支"
    assert draft.citations[0].snippet == "晋级决赛的四支代表队展现了良好风貌。"
    # with a pool of one (the earlier behaviour) the lead sentence's number is taken
    draft, short = fact_first(analyse("决赛有几支代表队？"), _ranked([0, 1, 2]), tag, pool=1)
    assert short == "20支"


def test_the_best_sentence_wins_when_it_is_as_well_supported(tag) -> None:
    draft, short = fact_first(analyse("决赛有几支代表队？"), _ranked([1, 0, 2]), tag)
    assert short == "四支" and draft.citations[0].start == BODY.index("晋级")
