"""Pages of other papers' print layouts (tests/pages/, invented text in real news style) and the seeds in Traditional
Chinese. Every expectation was written by reading the page files, not by running the parser."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from rag.ingest._leads import match_lead
from rag.ingest.parse import PageParse, parse_page, parse_report
from rag.ingest.textnorm import to_simplified
from rag.types import Article

PAGES = Path(__file__).parent / "pages"
ENCODINGS = {"evening_gbk.txt": "gbk", "taiwan_big5.txt": "big5", "interview_utf8.txt": "utf-8", "bold_titles_utf8.txt": "utf-8"}


def _text(name: str) -> str:
    return (PAGES / name).read_bytes().decode(ENCODINGS[name])


def _report(name: str) -> PageParse:
    return parse_report(_text(name), name)


# (kind, kicker, title, subtitle, section, reporters, correspondents, photo credit, (first line, last line))
INTERVIEW = [
    # `本报记者 赵雪` alone on its line under `##` title and a dashed subtitle
    ("news", "", "从学徒到“金牌工匠”", "——访全国技术能手张建国", "人物专访", ("赵雪",), (), (), (5, 15)),
    # a Q&A interview: headline, introduction, then 记者：/李红： turns, no byline
    ("news", "", "新就业形态劳动者权益保障有哪些新规？", "", "政策问答", (), (), (), (19, 29)),
    # a kicker naming 市场 above a `#` title; the `#` title closes the 政策问答 section
    ("news", "市场价跌了 养殖户咋应对", "生猪养殖户抱团闯市场", "", "", ("钱进",), ("吴芳",), (), (31, 37)),
    # `记者 孙丽 报道` on its own line
    ("news", "", "社区食堂开到家门口", "", "", ("孙丽",), (), (), (39, 45)),
    ("photo", "", "秋收时节稻田美", "", "", ("周航",), (), ("周航",), (47, 51)),
]
EVENING = [
    ("news", "市场价格总体平稳 菜篮子供应充足", "本市春季蔬菜上市量同比增三成", "", "消费观察", ("林晓",), ("陈明",), (), (7, 15)),
    ("news", "", "全国春耕备耕进展顺利", "", "消费观察", ("王海",), (), (), (17, 21)),
    ("news", "", "樱花大道迎来盛花期", "", "城事", ("李云",), (), (), (25, 29)),
    ("news", "", "地铁5号线南延段开通试运营", "", "城事", ("周敏",), (), (), (31, 33)),
    # a `##` title over text with no lead of its own
    ("news", "", "市民可免费领取防诈骗手册", "", "城事", (), (), (), (35, 37)),
]
TAIWAN = [
    ("news", "", "臺中市社區照顧據點增至三百處", "長照服務向鄉里延伸", "", ("陳文明",), (), (), (3, 9)),
    ("news", "", "高雄港貨櫃量回升", "", "產業動態", ("林志豪",), (), (), (13, 17)),
    ("news", "", "花蓮縣舉辦原住民族豐年祭", "", "產業動態", (), (), (), (19, 23)),
]
BOLD = [
    # **bold** titles; 本报讯 with an unbracketed credit; a bulleted ■本报记者 line; a wire story in another section
    ("news", "", "一线职工有了“清凉驿站”", "", "地方·民生", ("张三",), ("李四",), (), (5, 9)),
    ("news", "", "老旧小区加装电梯提速", "", "地方·民生", ("王五",), (), (), (11, 17)),
    ("news", "", "工伤认定有了“绿色通道”", "", "职工维权", ("钱七",), (), (), (21, 23)),
]
EXPECTED = {"interview_utf8.txt": INTERVIEW, "evening_gbk.txt": EVENING, "taiwan_big5.txt": TAIWAN, "bold_titles_utf8.txt": BOLD}
BANNERS = {"interview_utf8.txt": "职工天地", "evening_gbk.txt": "江城晚报 第A05版 民生新闻", "taiwan_big5.txt": "地方綜合",
           "bold_titles_utf8.txt": "工人日报 2025年7月3日 星期四 第4版"}


def _shape(a: Article) -> tuple:
    return (a.kind, a.kicker, a.title, a.subtitle, a.section, a.reporters, a.correspondents, a.photo_credit,
            (a.line_start, a.line_end))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_item_found_with_its_headings_credits_and_section(name: str) -> None:
    articles = parse_page(_text(name), name)
    assert [_shape(a) for a in articles] == EXPECTED[name]
    assert {a.banner for a in articles} == {BANNERS[name]}


def test_bylines_and_credits_stay_at_the_head_of_the_body() -> None:
    by_title = {a.title: a for a in parse_page(_text("interview_utf8.txt"), "p")}
    craftsman = by_title["从学徒到“金牌工匠”"]
    assert craftsman.body.split("\n")[:2] == ["本报记者 赵雪", "清晨六点半，张建国已经站在了车间的数控机床前。三十年来，这位从学徒干起的老工人，把一件件普通零件打磨成了精密部件。"]
    assert len(craftsman.paragraphs) == 4
    qa = by_title["新就业形态劳动者权益保障有哪些新规？"]
    assert qa.body.startswith("今年以来，多地出台") and qa.body.endswith("骑手受伤后可以按规定申请待遇。")
    assert [qa.body[a:b][:3] for a, b in qa.paragraphs] == ["今年以", "记者：", "李红：", "记者：", "李红："]
    canteen = by_title["社区食堂开到家门口"]
    assert canteen.body.split("\n") == ["记者 孙丽 报道", "近日，城南街道第三家社区食堂正式开业，六十岁以上老人就餐可享受八折优惠。", "开业当天，前来就餐的居民排起了长队。"]


def test_column_break_and_furniture_on_the_gbk_page() -> None:
    report = _report("evening_gbk.txt")
    veg = report.articles[0]
    assert "保障了市民的“菜篮子”。" in veg.body  # lines 13/15: a sentence broken over a column
    assert len(veg.paragraphs) == 2
    # the banner, the page's date line and the editor line are in no article; nothing else is dropped
    assert report.dropped == ((1, "江城晚报 第A05版 民生新闻"), (3, "2024年3月15日 星期五"), (39, "责任编辑：张华"))
    assert report.chars_total - report.chars_kept == len("江城晚报 第A05版 民生新闻2024年3月15日 星期五责任编辑：张华")


def test_dates_and_publishers_from_the_text() -> None:
    evening = parse_page(_text("evening_gbk.txt"), "e")
    # page date 2024-03-15 from its date line; the wire datelines give 3月14日 with the page's year
    assert [(a.date, a.publisher) for a in evening] == [
        ("2024-03-15", ""), ("2024-03-14", "新华社"), ("2024-03-14", "人民网"), ("2024-03-15", ""), ("2024-03-15", "")]
    taiwan = parse_page(_text("taiwan_big5.txt"), "t")
    # 中央社…5日電 names no month and the page no year: no date rather than a guess
    assert [(a.date, a.publisher) for a in taiwan] == [("", "中央社"), ("", ""), ("", "")]


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("config", ["s2t", "t2s"])
def test_a_page_in_the_other_script_parses_the_same(name: str, config: str) -> None:
    """Structure is read on a Simplified copy: converting a page changes its text, never its items."""
    converter = opencc.OpenCC(config)
    original = parse_page(_text(name), name)
    converted = parse_page(converter.convert(_text(name)), name)
    assert [_shape(a)[:1] + tuple(map(to_simplified, _shape(a)[1:5])) + _shape(a)[5:] for a in converted] == \
        [_shape(a)[:1] + tuple(map(to_simplified, _shape(a)[1:5])) + tuple(tuple(converter.convert(n) for n in names)
                                                                       for names in _shape(a)[5:8]) + _shape(a)[8:]
         for a in original]
    assert [a.body for a in converted] == [converter.convert(a.body) for a in original]  # stored as written


@pytest.mark.parametrize("config", ["s2t", "s2tw"])
def test_seed_pages_in_traditional_give_the_same_31_articles(seeds_dir: Path, config: str) -> None:
    converter = opencc.OpenCC(config)
    count = 0
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        original, converted = parse_page(text, path.name), parse_page(converter.convert(text), path.name)
        count += len(converted)
        assert [a.title for a in converted] == [converter.convert(a.title) for a in original]
        assert [to_simplified(a.title) for a in converted] == [to_simplified(converter.convert(a.title)) for a in original]
        assert [a.body for a in converted] == [converter.convert(a.body) for a in original]
        assert [(a.kind, a.line_start, a.line_end, len(a.paragraphs)) for a in converted] == \
            [(a.kind, a.line_start, a.line_end, len(a.paragraphs)) for a in original]
    assert count == 31


@pytest.mark.parametrize(("line", "kind", "credit", "publisher"), [
    ("本报讯（记者 王路曼）近日，", "byline", "记者 王路曼", ""),
    ("本报讯 记者 张三 通讯员 李四 近日，", "byline", "记者 张三 通讯员 李四", ""),
    ("晨报讯（记者 周明）8月9日，", "byline", "记者 周明", "晨报"),
    ("荆楚网（湖北日报网）讯（记者 李燕）为进一步", "byline", "记者 李燕", "荆楚网"),
    ("新华社北京7月27日电（记者 张三）今天", "dateline", "记者 张三", "新华社"),
    ("人民网柏林7月28日电 （记者 李四）德国", "dateline", "记者 李四", "人民网"),
    ("本报北京7月3日电（记者 王五）", "dateline", "记者 王五", ""),
    ("（中央社記者陳文明臺中5日電）臺中市", "dateline", "记者陈文明", "中央社"),  # read on the Simplified form
    ("【本报讯】花莲县", "dateline", "", ""),
    ("央视网消息（新闻联播）：今天", "dateline", "", "央视网"),
    ("（记者 周敏）3月14日上午", "credit", "记者 周敏", ""),
    ("记者 孙丽 报道", "credit", "记者 孙丽", ""),
    ("〔记者林志豪／高雄报导〕高雄港", "credit", "记者林志豪", ""),
    ("本报记者 赵雪", "credit", "本报记者 赵雪", ""),
    ("■本报记者 赵雪 通讯员 钱进", "credit", "本报记者 赵雪 通讯员 钱进", ""),
    ("文/本报记者 张三", "credit", "本报记者 张三", ""),
    ("本报记者 马超 摄影报道", "photo", "马超", ""),
    ("（新华社记者 李华 摄）", "picture", "李华", ""),
    ("记者：新规主要解决哪些问题？", "qa", "", ""),
    ("问：新规何时施行？", "qa", "", ""),
])
def test_leads_of_many_papers(line: str, kind: str, credit: str, publisher: str) -> None:
    lead = match_lead(to_simplified(line))
    assert lead is not None
    assert (lead.kind, lead.credit, lead.publisher) == (kind, credit, publisher)


@pytest.mark.parametrize("line", ["记者手记", "记者了解到，此次大赛的参赛选手由各级工会干部构成。", "近日，某县启动秋季植树活动。", "本报评论员"])
def test_lines_that_are_not_leads(line: str) -> None:
    assert match_lead(line) is None


def test_a_picture_credit_closing_a_paragraph_is_the_photo_credit() -> None:
    page = ("## 春季招聘会举办\n\n本报讯（记者 林晓）近日，某区春季招聘会举办，百余家企业参加。\n\n"
            "求职者在招聘会现场咨询岗位。本报记者 周航 摄\n")
    (article,) = parse_page(page, "x.txt")
    assert (article.reporters, article.photo_credit) == (("林晓",), ("周航",))
    assert article.body.endswith("求职者在招聘会现场咨询岗位。本报记者 周航 摄")


def test_an_interview_in_question_and_answer_turns_with_wen_da() -> None:
    page = ("## 春季招聘会举办\n\n本报讯（记者 林晓）近日，某区春季招聘会举办。\n\n"
            "## 求职者关心的五个问题\n\n招聘会期间，记者采访了区人社局负责人。\n\n问：今年岗位有什么特点？\n\n答：技能岗位多。\n")
    articles = parse_page(page, "x.txt")
    assert [a.title for a in articles] == ["春季招聘会举办", "求职者关心的五个问题"]
    assert articles[1].body.split("\n") == ["招聘会期间，记者采访了区人社局负责人。", "问：今年岗位有什么特点？", "答：技能岗位多。"]


def test_hash_titles_on_every_item_are_titles_not_a_banner() -> None:
    page = ("# 市民公园新增健身步道\n\n全长三公里 沿途设置十个休息点\n\n本报讯（记者 刘洋）近日，市民公园新增健身步道正式开放。\n\n"
            "# 暑期托管班开班\n\n本报讯（记者 陈静）7月10日，某区暑期托管班开班。\n")
    report = parse_report(page, "x.txt")
    assert [(a.title, a.subtitle, a.banner, a.line_start) for a in report.articles] == [
        ("市民公园新增健身步道", "全长三公里 沿途设置十个休息点", "", 1), ("暑期托管班开班", "", "", 7)]
    assert report.dropped == ()


def test_print_furniture_is_cut_and_reported() -> None:
    page = "## 标题一\n\n本报讯（记者 张三）近日，某市举办活动。（下转第2版）\n\n本版编辑 李四 美编 王五\n"
    report = parse_report(page, "x.txt")
    assert [a.body for a in report.articles] == ["本报讯（记者 张三）近日，某市举办活动。"]
    assert report.dropped == ((3, "（下转第2版）"), (5, "本版编辑 李四 美编 王五"))
