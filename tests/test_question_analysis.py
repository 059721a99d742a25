"""Question analysis: a hand-checked table, then every real question of the public sets (../shared/data)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.answer.analysis import analyse

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.mark.parametrize(("question", "kind", "content"), [
    ("大南在哪一年之后被迫将三个南部省份割让给法国?", "date", "大南在之后被迫将三个南部省份割让给法国"),
    ("南北关系发展与和平繁荣宣言于何时开始签定？", "date", "南北关系发展与和平繁荣宣言于开始签定"),
    ("哪个城市的体育局联合美团发放了体育消费券？", "place", "的体育局联合美团发放了体育消费券"),
    ("上海市体育局发放的体育消费券总额是多少？", "number", "上海市体育局发放的体育消费券总额是"),
    ("永顺镇总工会代表队获得了几等奖？", "number", "永顺镇总工会代表队获得了等奖"),
    ("继光饼是谁发明的？", "person", "继光饼是发明的"),
    ("哪两个国家签订了条约？", "place", "签订了条约"),
    ("巴西是否考虑加入“一带一路”倡议？", "yesno", "巴西考虑加入“一带一路”倡议"),
    ("为什么要举办比赛？", "reason", "要举办比赛"),
    ("临时人道主义走廊将如何证明其人道主义目的？", "method", "临时人道主义走廊将证明其人道主义目的"),
    ("什么是冠夫姓？", "definition", "是冠夫姓"),
    ("国优计划的培养方式有哪些？", "attribute", "国优计划的培养方式有"),
    ("哪些区举办了集体协商比赛？", "list", "举办了集体协商比赛"),
    ("天门冬又称之为什么？", "name", "天门冬又称之为"),
    ("前11个月，中国造船业新接订单量的国际市场份额是多少？", "number", "前11个月,中国造船业新接订单量的国际市场份额是"),
    ("未来两年的平均增速目标是多少？", "percent", "未来两年的平均增速目标是"),
    ("第十二届“思源百万助学金”发放仪式发放了多少钱？", "money", "第十二届“思源百万助学金”发放仪式发放了"),
    ("密雲區工匠學院是什麼時候成立的？", "date", "密云区工匠学院是成立的"),  # Traditional: analysed in Simplified
    # the asker's words for the collection are nothing an article holds; a report as a fact stays
    ("这几期报纸里，有哪些区或街道的工会开展了“夏送清凉”慰问？", "list", "有或街道的工会开展了“夏送清凉”慰问"),
    ("八里庄街道总工会在这些报道里分别搞了哪些活动？", "list", "八里庄街道总工会分别搞了活动"),
    ("报道中提到的比赛在哪里举行？", "place", "比赛在举行"),
    ("哪家媒体最早报道了这件事？", "organisation", "最早报道了这件事"),
])
def test_kind_and_content(question: str, kind: str, content: str) -> None:
    a = analyse(question)
    assert (a.kind, a.content) == (kind, content)


def test_unit_is_the_measure_asked_for() -> None:
    assert analyse("青少年模拟联合国大会讨论了几个议题？").unit == "个"
    assert analyse("密云区工匠学院今年计划开展几期素质培训班？").unit == "期"
    assert analyse("门票多少钱？").unit == "元"


def _questions() -> list[tuple[str, str]]:
    if not DATA.exists():
        pytest.skip(f"public data not found at {DATA} (see ../shared/data/README.md)")
    out = []
    for path in (DATA / "cmrc2018" / "cmrc2018_trial.json", DATA / "drcd" / "DRCD_dev.json"):
        for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
            for p in article["paragraphs"]:
                out += [(qa["question"], qa["answers"][0]["text"]) for qa in p["qas"]]
    return out


_INTERROGATIVE_LEFT = re.compile(r"哪|什么|谁|多少|何时|为何|怎么|如何|是否")


def test_no_interrogative_survives_in_the_content_of_real_questions() -> None:
    questions = _questions()
    assert len(questions) > 4000
    left = [q for q, _ in questions if _INTERROGATIVE_LEFT.search(analyse(q).content)]
    # measured: 0.6% (mostly two interrogatives in one question's subordinate clause, "为什么…是什么")
    assert len(left) / len(questions) < 0.02, left[:20]


def test_questions_whose_gold_is_a_year_or_date_are_date_questions() -> None:
    dated = [q for q, gold in _questions() if re.fullmatch(r"(公元前?)?\d{3,4}年(\d{1,2}月)?(\d{1,2}日)?", gold)]
    assert len(dated) > 150
    share = sum(analyse(q).kind == "date" for q in dated) / len(dated)
    assert share > 0.8, share


def test_questions_whose_gold_is_a_number_with_a_unit_ask_for_a_number() -> None:
    counted = [q for q, gold in _questions() if re.fullmatch(r"\d+(\.\d+)?(万|亿)?(人|个|名|座|次|家|种|公里|米|岁|位|场|部)", gold)]
    assert len(counted) > 25
    share = sum(analyse(q).kind in {"number", "money", "percent"} for q in counted) / len(counted)
    assert share > 0.8, share


def test_a_name_the_tokeniser_cuts_in_the_question_is_the_corpus_word(make_hash_library, tmp_path: Path) -> None:
    """jieba guesses an unknown name from its neighbours: "锦地罗又被称之为什么" is cut 锦地/罗 while the article's
    "锦地罗（学名：）" gives 锦地罗. The question's key term is the article's word, not an unknown 锦地."""
    from rag.answer.evidence import query_terms

    (tmp_path / "plant.txt").write_text("锦地罗\n\n锦地罗（学名：），又称作宽叶毛毡苔，是茅膏菜科的植物。"
                                        "该种全长通常只有2cm。\n", encoding="utf-8")
    lib = make_hash_library(tmp_path / "index")
    lib.ingest_paths([tmp_path / "plant.txt"])
    assert "锦地" in lib.tokenizer("锦地罗又被称之为什么？")  # the cut this guards against
    terms = query_terms("锦地罗又被称之为什么？", lib.tokenizer, lib.index)
    assert "锦地罗" in terms.terms and "锦地" not in terms.unknown
    assert "罗" not in terms.terms
