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


def test_a_runner_up_the_ranker_can_hardly_tell_from_the_best_is_cited_too(tag) -> None:
    """When the fitted ranker's two best sentences are nearly tied, the gold fact is as often in the second: the
    answer leads with the best one's span and cites the second after it (before it when it is the sentence just
    before the best)."""
    ranked = _ranked([1, 2, 0])
    draft, short = fact_first(analyse("决赛有几支代表队？"), ranked, tag, also=ranked[1])
    assert short == "四支"
    assert draft.text == "四支[1]。晋级决赛的四支代表队展现了良好风貌。[1]区总工会副主席李明出席活动并致辞。[2]"
    draft, _ = fact_first(analyse("决赛有几支代表队？"), ranked, tag, also=ranked[2])
    assert draft.text == "四支[1]。近日，某区职工技能大赛决赛举办，全区20支队伍报名参赛。[2]晋级决赛的四支代表队展现了良好风貌。[1]"
    alone, _ = fact_first(analyse("决赛有几支代表队？"), ranked, tag)
    assert alone.text == "四支[1]。晋级决赛的四支代表队展现了良好风貌。[1]" and len(alone.citations) == 1


def test_the_runner_up_is_taken_only_when_the_ranker_is_unsure() -> None:
    import numpy as np

    from rag.answer.analysis import analyse as _analyse
    from rag.answer.pipeline import Prepared, runner_up

    ranked = _ranked([1, 2, 0])
    def prepared(probabilities):
        return Prepared("q", _analyse("决赛有几支代表队？"), "number", "number", "", True, [], None, ranked,
                        None, None if probabilities is None else np.array(probabilities))
    assert runner_up(prepared([0.60, 0.55, 0.1])) is ranked[1]  # log-odds 0.41 vs 0.20
    assert runner_up(prepared([0.95, 0.30, 0.1])) is None  # 2.94 vs -0.85
    assert runner_up(prepared(None)) is None  # no fitted ranking
    assert runner_up(prepared([0.30, 0.95, 0.1])) is None  # the hand order was kept


def test_when_only_the_runner_up_has_the_asked_for_span_it_leads(tag) -> None:
    body = "晋级决赛的四支代表队展现了良好风貌。决赛在北京市朝阳区举办。"
    article = Article("a2", "决赛举办", body, "test.txt")
    chunk = Chunk("a2:0", "a2", 0, body, 0, len(body), article.title, "", "test.txt")
    cut = body.index("决赛在")
    ranked = [Sentence(article, chunk, 0, cut, body[:cut], 0, 0.9), Sentence(article, chunk, cut, len(body), body[cut:], 1, 0.8)]
    draft, short = fact_first(analyse("决赛在哪里举办？"), ranked, tag, also=ranked[1])
    assert short == "朝阳区"
    # the other is the sentence right before: shown in the order of the article
    assert draft.text == "朝阳区[1]。晋级决赛的四支代表队展现了良好风貌。[2]决赛在北京市朝阳区举办。[1]"
    assert fact_first(analyse("决赛在哪里举办？"), ranked, tag) is None  # no runner-up: no span in the best
