"""The one jieba tokeniser: compounds kept whole, the same tokens for documents and queries, Traditional = Simplified."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Library
from rag.ingest.textnorm import search_form
from rag.ingest.tokenize import Tokenizer


@pytest.mark.parametrize("term", ["集体协商", "经开区", "新就业形态劳动者", "劳模工匠", "夏送清凉", "门头沟区"])
def test_compound_terms_stay_whole(tokenizer: Tokenizer, term: str) -> None:
    assert tokenizer.terms(term) == [term]  # precise mode: one token
    assert term in tokenizer(term)  # search mode: the compound, plus its parts for recall


@pytest.mark.parametrize(("text", "term"), [
    ("顺义区总工会全力推动集体协商提质增效", "集体协商"),
    ("在北京经济技术开发区（以下简称经开区）总工会", "经开区"),
    ("为快递员、外卖配送员等新就业形态劳动者送上免费理发", "新就业形态劳动者"),
    ("丰台区“劳模工匠助企行”活动走进园博园", "劳模工匠"),
])
def test_compounds_stay_whole_inside_seed_sentences(tokenizer: Tokenizer, text: str, term: str) -> None:
    assert term in tokenizer.terms(text)
    assert term in tokenizer(text)


def test_search_mode_adds_the_parts(tokenizer: Tokenizer) -> None:
    assert tokenizer("哪些区举办了集体协商比赛") == ["区", "举办", "集体", "体协", "协商", "集体协商", "比赛"]
    assert tokenizer.terms("哪些区举办了集体协商比赛？") == ["区", "举办", "集体协商", "比赛"]  # stop words and ？ dropped


@pytest.mark.parametrize(("traditional", "simplified"), [
    ("經開區", "经开区"),
    ("哪些區舉辦了集體協商比賽", "哪些区举办了集体协商比赛"),
    ("門頭溝區總工會舉辦專題講座", "门头沟区总工会举办专题讲座"),
])
def test_traditional_tokenises_like_simplified(tokenizer: Tokenizer, traditional: str, simplified: str) -> None:
    assert tokenizer(traditional) == tokenizer(simplified)
    assert tokenizer.terms(traditional) == tokenizer.terms(simplified)


def test_full_width_and_case_are_folded(tokenizer: Tokenizer) -> None:
    assert tokenizer("北京工会１２３５１ＡＰＰ") == tokenizer("北京工会12351app")


def test_documents_and_queries_use_the_same_tokeniser(hash_library: Library) -> None:
    """What the index stored for every chunk is what the query side computes for that text."""
    index = hash_library.index
    for chunk, tokens in zip(index.chunks, index.tokens, strict=True):
        assert tokens == hash_library.tokenizer(chunk.indexed_text)
    assert hash_library.retriever("bm25").tokenizer is hash_library.tokenizer
    assert index.meta.tokenizer == hash_library.tokenizer.name


def test_name_is_stable_and_tracks_the_user_dictionary(tokenizer: Tokenizer, tmp_path: Path) -> None:
    assert Tokenizer().name == tokenizer.name
    words = tmp_path / "words.txt"
    words.write_text("首华置业\n\n奥森公园\n", encoding="utf-8")
    text = "首华置业公司工会组织职工赴奥森公园健步走"
    assert "首华置业" not in tokenizer.terms(text)
    custom = Tokenizer(user_dict=words)
    assert custom.name != tokenizer.name  # an index built with the other dictionary gets re-tokenised
    assert {"首华置业", "奥森公园"} <= set(custom.terms(text))


def test_the_tagger_shares_jiebas_tag_table_and_tags_as_its_own_would(tokenizer: Tokenizer, seeds_dir: Path) -> None:
    import jieba.posseg

    lines = [line for page in sorted(seeds_dir.glob("*.txt")) for line in page.read_text("utf-8").splitlines()
             if line.strip()]
    ours = [tokenizer.tag(line) for line in lines]
    assert tokenizer._pos.word_tag_tab is jieba.posseg.dt.word_tag_tab  # loaded once per process, not twice
    own = jieba.posseg.POSTokenizer(tokenizer._jieba)  # what tag() used to build: its own copy of the table
    assert len(lines) == 210 and ours == [[(p.word, p.flag) for p in own.cut(search_form(line))] for line in lines]
    assert tokenizer.tag("北京市总工会主席")[0] == ("北京市", "ns")  # a tag from the table
    assert tokenizer.tag("朝阳区总工会") == [("朝阳区总工会", "x")]  # a user term: whole, untagged
