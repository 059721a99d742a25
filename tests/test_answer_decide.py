"""Refusal on places, judged on the articles the answer would come from, for any place in China."""

from __future__ import annotations

import pytest

from rag.answer.decide import missing_places
from rag.types import Article


def _article(title: str, body: str, regions: tuple[str, ...] = ()) -> Article:
    return Article(id=title, title=title, body=body, source="t", regions=regions)


@pytest.fixture(autouse=True)
def _places_available() -> None:
    pytest.importorskip("rag.ingest.places")


def test_a_district_of_another_city_is_missing_from_beijing_articles() -> None:
    beijing = _article("通州区工会集体协商大赛决赛举办", "近日，通州区工会集体协商大赛决赛举办。")
    assert missing_places("杭州市西湖区总工会举办了什么比赛", [beijing]) == ["杭州市", "西湖区"]


def test_a_province_is_covered_by_an_article_about_a_district_inside_it() -> None:
    hangzhou = _article("西湖区总工会开展技能比武", "杭州市西湖区总工会近日开展技能比武。")
    assert missing_places("浙江省举办了什么比赛", [hangzhou]) == []
    assert missing_places("西湖区举办了什么比赛", [hangzhou]) == []


def test_a_district_is_not_covered_by_an_article_that_names_only_its_province() -> None:
    zhejiang = _article("浙江省举办职工运动会", "浙江省总工会举办职工运动会。")
    assert missing_places("杭州市西湖区举办了什么比赛", [zhejiang]) == ["杭州市", "西湖区"]


def test_the_article_regions_field_counts_too() -> None:
    tagged = _article("一场比赛", "比赛在区体育馆举行。", regions=("北京市", "海淀区"))
    assert missing_places("海淀区举办了什么比赛", [tagged]) == []


def test_only_the_cited_articles_count_not_any_retrieved_one() -> None:
    answer_article = _article("通州区比赛", "通州区工会集体协商大赛决赛举办。")
    # an unrelated article further down the ranking names 海淀区; it is not passed in, so it does not count
    assert missing_places("海淀区举办了什么比赛", [answer_article]) == ["海淀区"]


def test_a_traditional_follow_up_is_answered_in_traditional(hash_library) -> None:
    """The follow-up is rewritten (in Simplified) with its history's topic; the reply still follows the asker."""
    from rag.answer import answer
    from rag.answer.lead import is_traditional

    history = [{"role": "user", "content": "永順鎮總工會代表隊獲得了幾等獎？"}]
    result = answer(hash_library, "今天天氣怎麼樣？", history=history)
    assert not is_traditional(result.question_used)  # the rewrite works on a Simplified copy
    assert is_traditional(result.answer), result.answer


def test_a_bare_one_before_a_measure_word_is_a_determiner_not_a_number_to_find() -> None:
    """``这一篇论文`` / ``一支什么样的部队`` / ``下一次`` name no fact; ``第九场`` and ``一等奖`` do."""
    from rag.answer.refusal import missing_numbers

    article = _article("第1舰队", "第1舰队为旧大日本帝国海军之部队，曾参加第八场演习。")
    assert missing_numbers("第1舰队是一支什么样的部队？", [article]) == []
    assert missing_numbers("这一篇论文研究的是哪一区？", [article]) == []
    assert missing_numbers("第1舰队参加的是第九场演习吗？", [article]) == ["第九场"]
    assert missing_numbers("第1舰队获得了一等奖吗？", [article]) == ["一等奖"]


def test_counts_describe_ordinals_prizes_and_years_identify() -> None:
    """DRCD asks "…是两个流域的分水岭，一个是黄河流域，另一个是?" over a text that names both rivers and never says
    两个, and "…9000人" over "9,000人": refusing them was a false refusal. Ordinals, prizes and years stay facts."""
    from rag.answer.refusal import missing_numbers

    article = _article("秦岭", "秦岭是黄河流域与长江流域的分水岭，有15名队员考察过它。")
    assert missing_numbers("秦岭是两个流域的分水岭，一个是黄河流域，另一个是？", [article]) == []
    assert missing_numbers("秦岭被哪三位学者考察过？", [article]) == []
    assert missing_numbers("秦岭被12名队员考察过吗？", [article]) == []
    assert missing_numbers("秦岭是第二个分水岭吗？", [article]) == ["第二个"]
    assert missing_numbers("秦岭在2019年被考察过吗？", [article]) == ["2019年"]
    grouped = _article("秦岭", "秦岭保护区迎来第1,200名志愿者。")
    assert missing_numbers("秦岭保护区的第1200名志愿者是谁？", [grouped]) == []


def test_a_name_glued_to_a_generic_word_is_found_by_the_name() -> None:
    """DRCD asks about "青海地区" (one word in jieba's dictionary) over a text that says "青海": not missing."""
    from rag.answer.refusal import missing_entities
    from rag.ingest.tokenize import Tokenizer

    article = _article("青海", "青海位于青藏高原东北部，气候干燥。")
    tokenizer = Tokenizer()
    assert missing_entities("青海地区的气候怎样？", [article], tokenizer) == []
    assert missing_entities("东南亚地区的气候怎样？", [article], tokenizer) == ["东南亚地区"]
    # a division of China is the place check's: 上海 is missing there, with its parents considered
    assert missing_places("上海地区的气候怎样？", [article]) == ["上海市"]


def test_a_year_the_news_leaves_implicit_is_the_articles_own() -> None:
    """CRUD asks "2023年上半年中国银行业对民营企业贷款新增了多少？" over a report dated 2023 that says 今年上半年: it
    was refused for a missing 2023年. Another year is still missing."""
    from rag.answer.refusal import missing_numbers

    report = Article("r", "银行业上半年数据", "今年上半年，民营企业贷款新增5.5万亿元。", "s", date="2023-07-28")
    assert missing_numbers("2023年上半年民营企业贷款新增了多少？", [report]) == []
    assert missing_numbers("2022年上半年民营企业贷款新增了多少？", [report]) == ["2022年"]
    undated = Article("u", "银行业上半年数据", "今年上半年，民营企业贷款新增5.5万亿元。", "s")
    assert missing_numbers("2023年上半年民营企业贷款新增了多少？", [undated]) == ["2023年"]


def test_a_list_about_one_thing_is_answered_from_its_article() -> None:
    """CMRC's "锦地罗分布在哪些地区？" was listed across articles (other plants' ones): the places are in the
    article about 锦地罗. Questions whose list words open the question, or that name no article's whole title,
    stay cross-article lists."""
    from rag.answer.qtype import about_one

    assert about_one("锦地罗分布在哪些地区？", ["锦地罗", "五月艾"])
    assert about_one("谭望嵩效力过哪些球队？", ["于海", "谭望嵩 (足球运动员)"])
    assert not about_one("哪些区举办了集体协商比赛？", ["朝阳区总工会举办集体协商比赛"])
    assert not about_one("通州区的工会最近有哪些动态？", ["通州区总工会开展送清凉活动"])
    assert not about_one("锦地罗的叶子是什么形状？", ["锦地罗"])  # not a list question


def test_an_identifying_number_may_be_written_another_way() -> None:
    """DRCD's questions paraphrase their paragraph: "第8名" over "居第八位", "第一场" over "首个", "在1848年" over
    "在1848的选举中", and "1億1234萬5678年前" is an amount of years, not the year 5678. Each was refused as
    missing; another ordinal or year is still missing."""
    from rag.answer.refusal import missing_numbers

    energy = _article("韩国", "韩国占世界能源消费的2.1%，居第八位。1926年，商人查尔斯·派尔建立了首个职业网球巡回赛。")
    assert missing_numbers("能源消费排名第8名的国家占多少比例？", [energy]) == []
    assert missing_numbers("职业网球巡回赛的第一场由谁创办？", [energy]) == []
    assert missing_numbers("能源消费排名第9名的国家占多少比例？", [energy]) == ["第9名"]
    party = _article("自由土党", "在1848的选举中，一个名为自由土党的派别出现。")
    assert missing_numbers("在1848年，反对奴隶制度扩张的党派为哪一个？", [party]) == []
    assert missing_numbers("在1849年，反对奴隶制度扩张的党派为哪一个？", [party]) == ["1849年"]
    assert missing_numbers("1亿1234万5678年前处在中生代的哪一纪？", [_article("白垩纪", "白垩纪是中生代的最后一纪。")]) == []


def test_a_share_may_be_a_fraction_in_words() -> None:
    """DRCD's "…消灭了帝国多少比例的人口?" over "消灭了帝国三分之一的人口" was refused: no share found."""
    from rag.answer.refusal import asked_unit_absent

    assert asked_unit_absent("大瘟疫消灭了帝国多少比例的人口？", ["541年的大瘟疫消灭了帝国三分之一的人口。"]) == ""
    assert asked_unit_absent("大瘟疫消灭了帝国多少比例的人口？", ["541年的大瘟疫给帝国造成毁灭性的打击。"]) == "比例"


def test_an_amount_in_hundreds_of_millions_has_its_unit_and_twenty_odd_is_no_question() -> None:
    """DRCD's "目前全世界约有多少台机车?" over "约有2亿台机车" was refused (亿 between the number and its unit), and
    "…北京20几所高等院校学生…在哪里举行游行?" asks where, not how many: it was refused for "a number of 所"."""
    from rag.answer.refusal import asked_unit_absent

    assert asked_unit_absent("目前全世界约有多少台机车？", ["目前全世界约有2亿台机车。"]) == ""
    assert asked_unit_absent("目前全世界约有多少台机车？", ["机车在亚洲最为普及。"]) == "台"
    assert asked_unit_absent("北京20几所高等院校学生在哪里举行游行？", ["学生在天安门广场举行游行。"]) == ""
    assert asked_unit_absent("北京有几所高等院校参加？", ["学生在天安门广场举行游行。"]) == "所"


def test_a_report_carried_by_two_sources_is_one_list_item() -> None:
    """CRUD's "亚洲哪些国家的员工在“表面功夫”上花费的时间比例最高？" listed one survey twice, from two sites that
    carried the same report. Reposts are one item; another report is another."""
    from types import SimpleNamespace

    from rag.answer.compose import list_answer
    from rag.answer.evidence import QueryTerms, Sentence

    text = "调查显示，印度、日本和新加坡员工在表面功夫上花费的时间比例最高。"
    other = "另一项调查显示，韩国员工在表面功夫上花费的时间比例较高。"
    articles = [_article("调查称印度员工表面功夫最多", text), _article("正文：根据一项最新调查结果", "据报道，" + text),
                _article("韩国员工调查", other)]
    ranked = []
    for rank, a in enumerate(articles):
        start = a.body.index("调查")
        chunk = SimpleNamespace(id=f"{a.id}:0", text=a.body)
        ranked.append(Sentence(a, chunk, start, len(a.body), a.body[start:], rank, 1.0 - rank / 10))
    terms = QueryTerms(("员工", "表面功夫", "时间", "比例"), (1.0, 2.0, 1.0, 1.0), "")
    draft = list_answer("哪些国家的员工在表面功夫上花费的时间比例最高？", ranked, terms, "organisation")
    assert draft is not None and draft.text.count("\n") == 2  # a headline and two items
    assert [c.article_id for c in draft.citations] == [articles[0].id, articles[2].id]


def test_a_division_is_checked_with_its_parents_not_as_a_word_the_articles_must_hold() -> None:
    """A Shanghai paper writes 市总工会 and names its districts, not 上海: "上海市总工会…" is not missing a name
    (the place check covers 上海市 through 静安区). Common words jieba tags as places (东西, 都市) are no names."""
    from rag.answer.refusal import missing_entities, question_entities
    from rag.ingest.tokenize import Tokenizer

    tokenizer = Tokenizer()
    report = _article("市总工会举办职工运动会", "市总工会在静安区体育中心举办职工运动会。")
    assert missing_entities("上海市总工会举办了什么活动？", [report], tokenizer) == []
    assert missing_places("上海市总工会举办了什么活动？", [report]) == []
    assert missing_places("杭州市总工会举办了什么活动？", [report]) == ["杭州市"]
    assert question_entities("志愿者准备了什么东西？", tokenizer) == []
    assert question_entities("这座都市的地铁有几条线路？", tokenizer) == []
    assert question_entities("京东在东南亚开了几家仓库？", tokenizer) == ["京东", "东南亚"]


def test_a_number_of_days_must_be_given_in_some_unit_of_time() -> None:
    """"培训班一共培训多少天？" was answered "百名" (the class's size): no sentence gives a time, so it is refused;
    weeks, months or hours are a number of days written another way."""
    from rag.answer.analysis import analyse
    from rag.answer.refusal import asked_unit_absent
    from rag.answer.span import scored

    question = "密云区工匠学院首期班组长培训班一共培训多少天？"
    class_size = "首期百名职工参加企业班组长管理能力提升培训班。"
    assert asked_unit_absent(question, [class_size]) == "天"
    assert asked_unit_absent(question, [class_size, "培训班为期两周。"]) == ""
    assert asked_unit_absent(question, ["培训共3天。"]) == ""
    assert scored(analyse(question), class_size) is None
    assert scored(analyse(question), "培训班为期两周，首期百名职工参加。")[0] == "两周"
