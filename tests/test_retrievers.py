"""Every retriever behind the one seam: the contract on the cheap index (fast), then quality with the real model on
questions written for the seeds (slow)."""

from __future__ import annotations

import math

import pytest

from rag import Library
from rag.errors import InputError
from rag.index.bm25 import BM25Retriever, build_bm25
from rag.ingest.tokenize import Tokenizer
from rag.types import Chunk, Filters, Retriever

RETRIEVERS = ["bm25", "dense", "hybrid"]


# ---------------------------------------------------------------- BM25 by hand


def test_bm25_scores_by_hand() -> None:
    # three documents of two tokens: every length equals avgdl, so BM25 (bm25s' Lucene variant, k1=1.5, b=0.75) is
    # idf * tf / (tf + k1) = idf / 2.5 with idf = ln(1 + (N - df + 0.5) / (df + 0.5))
    model = build_bm25([["工会", "集体协商"], ["工会", "夏送清凉"], ["职工", "读书"]])
    assert model.get_scores(["集体协商"]).tolist() == pytest.approx([math.log(1 + 2.5 / 1.5) / 2.5, 0, 0])
    assert model.get_scores(["工会"]).tolist() == pytest.approx([math.log(1 + 1.5 / 2.5) / 2.5] * 2 + [0])


def test_bm25_retriever_drops_unknown_tokens_and_zero_scores(tokenizer: Tokenizer) -> None:
    texts = ["顺义区总工会推动集体协商", "朝阳区总工会夏送清凉", "怀柔区读书分享会"]
    chunks = [Chunk(f"a{i}:0", f"a{i}", 0, t, 0, len(t), t, t, "p.txt") for i, t in enumerate(texts)]
    retriever = BM25Retriever(chunks, build_bm25([tokenizer(t) for t in texts]), tokenizer)
    assert [h.chunk_id for h in retriever.search("集体协商", k=5)] == ["a0:0"]  # the others score 0: not returned
    assert retriever.search("火星城市", k=5) == []  # no known token


# ---------------------------------------------------------------- the contract, all retrievers (hash embedder)


@pytest.mark.parametrize("name", RETRIEVERS)
def test_retriever_contract(hash_library: Library, name: str) -> None:
    retriever = hash_library.retriever(name)
    assert isinstance(retriever, Retriever) and retriever.name == name
    for query in ["哪些区举办了集体协商比赛", "夏送清凉", "经开区总工会"]:
        hits = retriever.search(query, k=4)
        assert 1 <= len(hits) <= 4
        assert all(h.retriever == name for h in hits)
        assert len({h.chunk_id for h in hits}) == len(hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert all(h.article_id in hash_library.index.articles for h in hits)


@pytest.mark.parametrize("name", RETRIEVERS)
@pytest.mark.parametrize(("query", "title"), [
    ("职工们用脚步丈量自然之美", "首华置业公司工会组织职工赴奥森公园健步走"),  # a sentence of the body, verbatim
    ("陶然亭街道章丘大葱", "陶然亭街道总工会为职工“寒冬送暖”"),
])
def test_verbatim_text_finds_its_article(hash_library: Library, name: str, query: str, title: str) -> None:
    # the hash embedder only counts shared characters (256 buckets, with collisions): for dense, within the top 3
    # is its fair bar; keyword and hybrid retrieval must put the article first
    titles = [h.chunk.title for h in hash_library.search(query, k=3, retriever=name)]
    assert title in titles if name == "dense" else titles[0] == title


@pytest.mark.parametrize("name", RETRIEVERS)
def test_filters(hash_library: Library, name: str) -> None:
    hits = hash_library.search("集体协商", k=10, retriever=name, filters=Filters(districts=("通州区",)))
    assert hits and all("通州区" in h.chunk.districts for h in hits)
    assert "2025年通州区工会集体协商大赛决赛举办" in {h.chunk.title for h in hits}
    source = "004_abbda0325e153582.txt"
    hits = hash_library.search("工会干部", k=10, retriever=name, filters=Filters(sources=(source,)))
    assert hits and {h.chunk.source for h in hits} == {source}


def test_search_rejects_bad_requests(hash_library: Library) -> None:
    with pytest.raises(InputError, match="query is empty"):
        hash_library.search("   ")
    with pytest.raises(InputError, match="k must be between 1 and 50"):
        hash_library.search("工会", k=0)
    with pytest.raises(InputError, match="unknown retriever 'sparse'"):
        hash_library.search("工会", retriever="sparse")


# ---------------------------------------------------------------- quality, real model (slow)

# Written for this suite by reading the seeds (not taken from eval/data); most are paraphrases that share few words
# with the article. (question, the article that should come first)
QUESTIONS = [
    ("顺义区工会怎样督促企业把集体协商做扎实", "顺义区总工会全力推动集体协商提质增效"),
    ("通州工会协商竞赛的冠军是哪个镇的队伍", "2025年通州区工会集体协商大赛决赛举办"),
    ("劳模带着专家在园博园教绿化工人用寄生蜂治害虫", "丰台区“劳模工匠助企行”活动走进园博园"),
    ("园林行业的工资和福利是在哪次会议上谈定的", "北京市园林绿化行业第六轮集体协商会议暨签约大会召开"),
    ("怀柔工会机关的党员们读了哪些书并交换了旧物", "怀柔区总工会机关党员干部分享好书畅谈感悟"),
    ("自来水公司的工会干部学习十八大精神时去参观了什么", "市自来水集团召开学习中国工会十八大精神培训班"),
    ("西城一个街道的工会冬天给会员送山东大葱", "陶然亭街道总工会为职工“寒冬送暖”"),
    ("密云新成立的培训职工技能的学院由谁担任院长", "密云区工匠学院成立"),
    ("两个区的工会在游乐园给年轻人办相亲活动", "石景山、门头沟两区总工会举办职工联谊活动"),
    ("铁路施工企业如何推动产业工人队伍建设改革", "中铁六局召开产业工人队伍建设改革推进会"),
    ("朝阳区工会领导夏天去看望骑手和环卫工人", "朝阳区总工会启动“夏送清凉”慰问活动"),
    ("幼儿园的小朋友和退休老人一起缝香囊", "房山区拱辰街道总工会倡导和谐家文化"),
    ("餐饮企业签了哪些集体合同", "大兴区各级工会持续推动集体协商提质扩面"),
    ("各区县工会干部模拟劳资谈判的比赛在昌平怎么进行", "昌平区集体协商技能大赛开赛"),
    ("东城区庆祝建党的合唱比赛有多少人参加", "东城区总工会举办“五月的鲜花”歌咏比赛展示活动"),
]

# Top-1 is required for every (question, retriever) pair. Dense needed no top-3 allowance: it put every article
# first when this was written. One pair is a known limitation of keyword search, not a bug: "模拟劳资谈判" shares
# no word with "集体协商", so BM25 ranks the Tongzhou contest (工会干部, 模拟协商, 比赛) above Changping (5th); the
# dense side bridges the paraphrase, which is what the hybrid is for.
KEYWORD_GAP = {("各区县工会干部模拟劳资谈判的比赛在昌平怎么进行", "bm25")}


def _cases() -> list:
    gap = pytest.mark.xfail(strict=True, reason="limitation, not a bug: keyword retrieval cannot bridge this paraphrase")
    return [pytest.param(question, title, name, marks=[gap] if (question, name) in KEYWORD_GAP else [],
                         id=f"{name}-{n:02d}")
            for n, (question, title) in enumerate(QUESTIONS) for name in RETRIEVERS]


@pytest.mark.slow
@pytest.mark.parametrize(("question", "title", "name"), _cases())
def test_right_article_comes_first(real_library: Library, question: str, title: str, name: str) -> None:
    hits = real_library.search(question, k=5, retriever=name)
    assert hits[0].chunk.title == title, [h.chunk.title for h in hits]


@pytest.mark.slow
def test_list_question_finds_both_contests(real_library: Library) -> None:
    titles = {h.chunk.title for h in real_library.search("哪些区举办了集体协商比赛", k=5, retriever="hybrid")}
    assert {"2025年通州区工会集体协商大赛决赛举办", "昌平区集体协商技能大赛开赛"} <= titles
