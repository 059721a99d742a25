"""The page parser against the seeds. Every expectation below was written by reading the raw pages in ``seeds/``,
not by running the parser: titles, headings, credits, line spans and paragraph counts are counted by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.errors import PageError
from rag.ingest.parse import join_paragraphs, parse_credits, parse_page, parse_report
from rag.ingest.sentences import ends_sentence
from rag.ingest.textnorm import clean_line
from rag.types import Article

P0, P1, P2, P3, P4 = (
    "000_9d99fd9dcb55520a.txt",
    "001_d15e506f488c69d4.txt",
    "002_45ea8ac486a25c31.txt",
    "003_8172d0507c8e507c.txt",
    "004_abbda0325e153582.txt",
)
BANNER = "深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面"

# Titles in page order, photo news included (31 items).
TITLES = {
    P0: [
        "昌平区工会第六次代表大会召开",
        "北京市园林绿化行业第六轮集体协商会议暨签约大会召开",
        "八里庄街道总工会思政教育活动走进校园",
        "怀柔区总工会机关党员干部分享好书畅谈感悟",
        "首华置业公司工会组织职工赴奥森公园健步走",
    ],
    P1: [
        "顺义区总工会全力推动集体协商提质增效",
        "2025年通州区工会集体协商大赛决赛举办",
        "丰台区“劳模工匠助企行”活动走进园博园",
        # uncaptioned photo news (line 65): the title is its first clause without the leading 近日
        "平谷区总工会联合中建二局北方公司走进中国农业大学农港北二区项目工地",
        "八里庄街道总工会多项贴心服务关爱户外劳动者",
        "西长安街街道总工会紧扣职工需求“送清凉”",
    ],
    P2: [
        "大兴区各级工会持续推动集体协商提质扩面",
        "市自来水集团召开学习中国工会十八大精神培训班",
        "门头沟区总工会举办学习贯彻《习近平关于工人阶级和工会工作论述摘编》专题讲座",
        "经开区总工会线下大集贴心服务职工",
        "房山区拱辰街道总工会倡导和谐家文化",
        "户外活动中减压",
        "陶然亭街道总工会为职工“寒冬送暖”",
    ],
    P3: [
        "密云区工匠学院成立",
        "通州梨园镇大稿国际艺术区“党工共建”微阵地挂牌",
        "体验插花艺术",
        "昌平区集体协商技能大赛开赛",
        "石景山、门头沟两区总工会举办职工联谊活动",
        "经开区青年公寓打造“全能型”工会服务站",
        "朝外街道总工会为单身职工“搭鹊桥”",
    ],
    P4: [
        "东城区总工会举办“五月的鲜花”歌咏比赛展示活动",
        "北京高校三片组工会干部开展联学联建主题活动",
        "顺义区总工会举办基层工会干部培训班",
        "中铁六局召开产业工人队伍建设改革推进会",
        "朝阳区总工会启动“夏送清凉”慰问活动",
        "经开区总工会为一线职工送“清凉”物资",
    ],
}
PHOTO_NEWS = {"平谷区总工会联合中建二局北方公司走进中国农业大学农港北二区项目工地", "户外活动中减压", "体验插花艺术"}

# title -> (kicker, subtitle); every article not listed has neither.
HEADINGS = {
    "昌平区工会第六次代表大会召开": ("", "团结广大职工为奋力谱写昌平现代化建设新篇章不懈奋斗"),
    "北京市园林绿化行业第六轮集体协商会议暨签约大会召开": ("", "推动“技能人才薪酬激励”政策落地落实"),
    "顺义区总工会全力推动集体协商提质增效": ("坚持典型带动 健全工作机制 强化专业指导 加强培训与助推", ""),
    "2025年通州区工会集体协商大赛决赛举办": ("", "工会干部化身职工方与企业方展现出色协商技巧"),
    "丰台区“劳模工匠助企行”活动走进园博园": ("", "劳模工匠代表齐聚一堂共探绿色养护新路径"),
    "大兴区各级工会持续推动集体协商提质扩面": ("围绕企业用工难点和职工关切热点开展务实协商", ""),
    "密云区工匠学院成立": ("", "今年将为500名职工提供免费培训"),
    "昌平区集体协商技能大赛开赛": ("助力提高协商水平 帮助解决“不敢谈”“不会谈”问题", ""),
    "朝阳区总工会启动“夏送清凉”慰问活动": ("", "为职工打造安全、健康、清凉的工作环境"),
}

# title -> (reporters, correspondents), from the 本报讯（…） bylines and the 本报记者 … 摄影报道 lines.
CREDITS = {
    "昌平区工会第六次代表大会召开": (("周美玉",), ()),
    "北京市园林绿化行业第六轮集体协商会议暨签约大会召开": (("边磊",), ()),
    "八里庄街道总工会思政教育活动走进校园": (("刘欣欣",), ()),
    "怀柔区总工会机关党员干部分享好书畅谈感悟": (("崔欣",), ("宋雅欣",)),
    "首华置业公司工会组织职工赴奥森公园健步走": (("刘欣欣",), ()),
    "顺义区总工会全力推动集体协商提质增效": (("王路曼",), ()),
    "2025年通州区工会集体协商大赛决赛举办": (("宗晓畅",), ()),
    "丰台区“劳模工匠助企行”活动走进园博园": (("余翠平",), ()),
    "平谷区总工会联合中建二局北方公司走进中国农业大学农港北二区项目工地": (("马超",), ()),
    "八里庄街道总工会多项贴心服务关爱户外劳动者": (("刘欣欣",), ()),
    "西长安街街道总工会紧扣职工需求“送清凉”": (("陈曦",), ("赵娟",)),
    "大兴区各级工会持续推动集体协商提质扩面": (("孙艳",), ()),
    "市自来水集团召开学习中国工会十八大精神培训班": (("边磊",), ()),
    "门头沟区总工会举办学习贯彻《习近平关于工人阶级和工会工作论述摘编》专题讲座": (("张晶",), ()),
    "经开区总工会线下大集贴心服务职工": (("陈曦",), ()),
    "房山区拱辰街道总工会倡导和谐家文化": (("余翠平",), ("王玉",)),
    "户外活动中减压": (("刘欣欣",), ()),
    "陶然亭街道总工会为职工“寒冬送暖”": (("陈曦",), ()),
    "密云区工匠学院成立": (("王路曼",), ()),
    "通州梨园镇大稿国际艺术区“党工共建”微阵地挂牌": (("宗晓畅",), ()),
    "体验插花艺术": (("刘欣欣",), ("阚旭",)),
    "昌平区集体协商技能大赛开赛": (("周美玉",), ("张奇志",)),
    "石景山、门头沟两区总工会举办职工联谊活动": (("张晶",), ()),
    "经开区青年公寓打造“全能型”工会服务站": (("孙艳",), ()),
    "朝外街道总工会为单身职工“搭鹊桥”": (("刘欣欣",), ()),
    "东城区总工会举办“五月的鲜花”歌咏比赛展示活动": (("边磊",), ()),
    "北京高校三片组工会干部开展联学联建主题活动": (("任洁",), ("高若晨", "刘玉娟")),
    "顺义区总工会举办基层工会干部培训班": (("王路曼",), ()),
    "中铁六局召开产业工人队伍建设改革推进会": (("马超",), ()),
    "朝阳区总工会启动“夏送清凉”慰问活动": (("刘欣欣",), ()),
    "经开区总工会为一线职工送“清凉”物资": (("孙艳",), ()),
}

# who took the pictures; every other article has no photo credit
PHOTO_CREDITS = {
    "北京市园林绿化行业第六轮集体协商会议暨签约大会召开": ("彭程",),  # inline `**本报记者 彭程 摄**` (000:45)
    "平谷区总工会联合中建二局北方公司走进中国农业大学农港北二区项目工地": ("马超",),
    "户外活动中减压": ("刘欣欣",),
    "体验插花艺术": ("刘欣欣",),  # 本报记者 刘欣欣 通讯员 阚旭 摄影报道: the correspondent is in CREDITS
}


@pytest.fixture(scope="module")
def pages(seeds_dir: Path) -> dict[str, list[Article]]:
    return {p.name: parse_page(p.read_text(encoding="utf-8"), p.name) for p in sorted(seeds_dir.glob("*.txt"))}


@pytest.fixture(scope="module")
def by_title(pages: dict[str, list[Article]]) -> dict[str, Article]:
    return {a.title: a for articles in pages.values() for a in articles}


# ---------------------------------------------------------------- what the pages hold


def test_titles_per_page(pages: dict[str, list[Article]]) -> None:
    assert {source: [a.title for a in articles] for source, articles in pages.items()} == TITLES
    assert sum(len(articles) for articles in pages.values()) == 31


def test_kinds_sources_and_ids(pages: dict[str, list[Article]]) -> None:
    for source, articles in pages.items():
        for a in articles:
            assert a.source == source
            assert a.kind == ("photo" if a.title in PHOTO_NEWS else "news"), a.title
            assert re.fullmatch(r"[0-9a-f]{16}", a.id)
    ids = [a.id for articles in pages.values() for a in articles]
    assert len(set(ids)) == 31


def test_ids_depend_on_content_not_on_the_file_name(seeds_dir: Path, pages: dict[str, list[Article]]) -> None:
    text = (seeds_dir / P3).read_text(encoding="utf-8")
    again = parse_page(text, "renamed.txt")
    assert [a.id for a in again] == [a.id for a in pages[P3]]
    assert {a.source for a in again} == {"renamed.txt"}


def test_kickers_subtitles_and_sections(by_title: dict[str, Article]) -> None:
    for title, article in by_title.items():
        assert (article.kicker, article.subtitle) == HEADINGS.get(title, ("", "")), title
    # `### …` column labels (002:51, 004:59)
    assert by_title["经开区总工会线下大集贴心服务职工"].section == "贯彻落实工会十八大精神"
    assert by_title["朝阳区总工会启动“夏送清凉”慰问活动"].section == "夏送清凉 工会行动"
    assert by_title["经开区总工会为一线职工送“清凉”物资"].section == "夏送清凉 工会行动"
    # nothing above a page's first column label has a section
    for title in ["大兴区各级工会持续推动集体协商提质扩面", "门头沟区总工会举办学习贯彻《习近平关于工人阶级和工会工作论述摘编》专题讲座",
                  "中铁六局召开产业工人队伍建设改革推进会", "昌平区集体协商技能大赛开赛", "顺义区总工会全力推动集体协商提质增效"]:
        assert by_title[title].section == "", title


def test_heading_property_is_title_and_subtitle(by_title: dict[str, Article]) -> None:
    assert by_title["密云区工匠学院成立"].heading == "密云区工匠学院成立 今年将为500名职工提供免费培训"
    assert by_title["户外活动中减压"].heading == "户外活动中减压"


def test_page_banner_is_never_a_title(pages: dict[str, list[Article]]) -> None:
    for source, articles in pages.items():
        for a in articles:
            # page 000 has no `#` banner line
            assert a.banner == ("" if source == P0 else BANNER)
            assert BANNER not in (a.title, a.subtitle, a.kicker)
            assert "奋力开拓首都工会工作新局面" not in a.body  # the banner's second half is in no article


def test_reporters_and_correspondents(by_title: dict[str, Article]) -> None:
    assert {t: (a.reporters, a.correspondents) for t, a in by_title.items()} == CREDITS


def test_photo_credits(by_title: dict[str, Article]) -> None:
    assert {t: a.photo_credit for t, a in by_title.items() if a.photo_credit} == PHOTO_CREDITS
    # the credit is the last paragraph of the body, without the markdown stars
    garden = by_title["北京市园林绿化行业第六轮集体协商会议暨签约大会召开"]
    a, b = garden.paragraphs[-1]
    assert garden.body[a:b] == "本报记者 彭程 摄"
    assert garden.body.split("\n")[-2].endswith("以及市园林绿化企业工会联合会全体成员单位行政方和职工方代表近百人参加会议。")
    assert "*" not in garden.body
    flowers = by_title["体验插花艺术"]
    assert flowers.body.split("\n")[-1] == "本报记者 刘欣欣 通讯员 阚旭 摄影报道"


def test_bodies_keep_the_byline_at_their_head(pages: dict[str, list[Article]]) -> None:
    for articles in pages.values():
        for a in articles:
            if a.kind == "news":
                assert a.body.startswith("本报讯（记者 "), a.title
            else:
                assert a.body.startswith("近日，") and a.body.endswith("摄影报道"), a.title
    changping = next(a for a in pages[P0] if a.title == "昌平区工会第六次代表大会召开")
    assert changping.body.startswith("本报讯（记者 周美玉）近日，昌平区工会第六次代表大会召开。")
    # page 003 writes half-width brackets and commas: the body holds the cleaned form
    miyun = pages[P3][0]
    assert miyun.body.startswith("本报讯（记者 王路曼）近日，由密云区总工会、首都经济贸易大学密云分校共同成立")


# ---------------------------------------------------------------- column-break repair


@pytest.mark.parametrize(("title", "joined"), [
    # 000:17/19: "推动解决职" | "工最关心…"
    ("昌平区工会第六次代表大会召开", "推动解决职工最关心、最直接、最现实的利益问题"),
    # 000:35/39, three blank lines between the halves
    ("北京市园林绿化行业第六轮集体协商会议暨签约大会召开", "企业方首席代表、北京市园林绿化行业协会秘书长李勇分别在集体合同上签字确认"),
    # 001:17/19
    ("顺义区总工会全力推动集体协商提质增效", "保证集体协商指导工作不断档、不缺位。"),
    # 001:49/51: the break falls inside a question
    ("丰台区“劳模工匠助企行”活动走进园博园", "夏季花灌木修剪要点有哪些？活动现场"),
    # 002:17/19: the line ends on a closing quote that does not end a sentence
    ("大兴区各级工会持续推动集体协商提质扩面", "将“要我安全”真正变成“我要安全”"),
    # 002:87/89/91: one paragraph over three lines
    ("陶然亭街道总工会为职工“寒冬送暖”", "曾参与往届活动的职工表示：“大葱品质真好"),
    ("陶然亭街道总工会为职工“寒冬送暖”", "到陶然亭街道总工会服务站现场扫描二维码验证领取新鲜章丘大葱两盒。"),
    # 003:73/77 and 003:79/81
    ("经开区青年公寓打造“全能型”工会服务站", "此外，青年公寓工会服务站还根据职工需求持续开展特色服务。"),
    ("经开区青年公寓打造“全能型”工会服务站", "为更好地服务职工，青年公寓工会服务站还推出露天电影节"),
])
def test_column_breaks_are_repaired(by_title: dict[str, Article], title: str, joined: str) -> None:
    assert joined in by_title[title].body


def test_real_paragraph_boundaries_are_kept(by_title: dict[str, Article]) -> None:
    # 000:7, 9+11, 13, 15, 17+19, 21+23: six paragraphs, three of them repaired
    congress = by_title["昌平区工会第六次代表大会召开"]
    starts = [congress.body[a : a + 6] for a, _ in congress.paragraphs]
    assert starts == ["本报讯（记者", "会议指出，过", "会议强调，今", "王红兵在讲话", "他指出，昌平", "甘靖中在讲话"]
    assert congress.body[congress.paragraphs[3][0] : congress.paragraphs[3][1]] == \
        "王红兵在讲话中代表北京市总工会对大会的召开表示祝贺。"


@pytest.mark.parametrize(("title", "count"), [
    ("北京市园林绿化行业第六轮集体协商会议暨签约大会召开", 7),  # 29, 31, 33, 35+39, 41+43, 45, the photo credit
    ("丰台区“劳模工匠助企行”活动走进园博园", 7),  # 45, 47, 49+51, 53, 55+57, 59, 61
    ("大兴区各级工会持续推动集体协商提质扩面", 8),  # 9, 11+13, 15, 17+19, 21, 23+25, 27, 29
    ("陶然亭街道总工会为职工“寒冬送暖”", 3),  # 85, 87+89+91, 93
    ("经开区青年公寓打造“全能型”工会服务站", 3),  # 71, 73+77, 79+81
    ("平谷区总工会联合中建二局北方公司走进中国农业大学农港北二区项目工地", 2),  # 65, the credit line 67
])
def test_paragraph_counts(by_title: dict[str, Article], title: str, count: int) -> None:
    assert len(by_title[title].paragraphs) == count


def test_paragraph_offsets_tile_the_body(pages: dict[str, list[Article]]) -> None:
    for articles in pages.values():
        for a in articles:
            assert "\n".join(a.body[s:e] for s, e in a.paragraphs) == a.body
            assert all(a.body[s:e].strip() == a.body[s:e] != "" for s, e in a.paragraphs)


# ---------------------------------------------------------------- line spans


@pytest.mark.parametrize(("title", "span"), [
    ("顺义区总工会全力推动集体协商提质增效", (5, 23)),  # starts at its kicker, not at the `#` banner on line 3
    ("北京市园林绿化行业第六轮集体协商会议暨签约大会召开", (25, 45)),  # ends on the inline photo credit line
    ("平谷区总工会联合中建二局北方公司走进中国农业大学农港北二区项目工地", (65, 67)),
    ("朝阳区总工会启动“夏送清凉”慰问活动", (61, 73)),  # the `###` column label on line 59 is not part of it
    ("经开区总工会为一线职工送“清凉”物资", (75, 89)),
])
def test_line_spans(by_title: dict[str, Article], title: str, span: tuple[int, int]) -> None:
    a = by_title[title]
    assert (a.line_start, a.line_end) == span


def _squash(text: str) -> str:
    return re.sub(r"[\s*]", "", text)


def test_line_spans_cover_exactly_each_article(seeds_dir: Path, pages: dict[str, list[Article]]) -> None:
    """Every non-blank file line inside an article's span is one of its headings or part of its body."""
    for source, articles in pages.items():
        lines = (seeds_dir / source).read_text(encoding="utf-8").split("\n")
        previous_end = 0
        for a in articles:
            assert previous_end < a.line_start <= a.line_end, a.title
            previous_end = a.line_end
            headings = [h for h in (a.kicker, a.title, a.subtitle) if h]
            first = clean_line(lines[a.line_start - 1].lstrip("#").strip())
            assert first in headings or a.body.startswith(first), a.title
            body = _squash(a.body)
            assert body.endswith(_squash(clean_line(lines[a.line_end - 1]))), a.title  # the last line is the body's end
            for no in range(a.line_start, a.line_end + 1):
                text = clean_line(lines[no - 1].lstrip("#").strip())
                if text and not any(text in h for h in headings):
                    assert _squash(text) in body, f"{source}:{no} not in {a.title}"


# ---------------------------------------------------------------- places named


@pytest.mark.parametrize(("title", "districts"), [
    ("石景山、门头沟两区总工会举办职工联谊活动", ("石景山区", "门头沟区")),
    ("通州梨园镇大稿国际艺术区“党工共建”微阵地挂牌", ("通州区",)),
    ("2025年通州区工会集体协商大赛决赛举办", ("通州区",)),  # also "城市副中心" in the last paragraph
    ("经开区总工会线下大集贴心服务职工", ("经开区",)),
    ("西长安街街道总工会紧扣职工需求“送清凉”", ("西城区",)),  # only the body says 西城区
    ("户外活动中减压", ("怀柔区",)),  # 怀柔区黄花城水长城 in the caption
    ("北京市园林绿化行业第六轮集体协商会议暨签约大会召开", ()),
    ("中铁六局召开产业工人队伍建设改革推进会", ()),
])
def test_districts(by_title: dict[str, Article], title: str, districts: tuple[str, ...]) -> None:
    assert by_title[title].districts == districts


def test_places_and_organisations_on_articles(by_title: dict[str, Article]) -> None:
    tongzhou = by_title["2025年通州区工会集体协商大赛决赛举办"]
    assert "永顺镇" in tongzhou.places and "通州区总工会" in tongzhou.organisations
    assert "八里庄街道" in by_title["八里庄街道总工会多项贴心服务关爱户外劳动者"].places
    assert "北京首华置业有限公司工会" in by_title["首华置业公司工会组织职工赴奥森公园健步走"].organisations


# ---------------------------------------------------------------- small pieces and failures


def test_parse_credits() -> None:
    assert parse_credits("记者 任洁 通讯员 高若晨 刘玉娟") == (("任洁",), ("高若晨", "刘玉娟"))
    assert parse_credits("记者 崔欣 通讯员 宋雅欣") == (("崔欣",), ("宋雅欣",))
    assert parse_credits("刘欣欣") == (("刘欣欣",), ())
    assert parse_credits("") == ((), ())


def test_join_paragraphs_and_ends_sentence() -> None:
    assert join_paragraphs(["推动解决职", "工最关心的问题。", "新段落。"]) == ["推动解决职工最关心的问题。", "新段落。"]
    assert join_paragraphs(["他说：“好。”", "下一段"]) == ["他说：“好。”", "下一段"]
    assert [ends_sentence(t) for t in ["推动解决职", "表示祝贺。", "心声……”", "将“要我安全”", "有哪些？"]] == \
        [False, True, True, False, True]


def test_a_page_with_only_a_title_and_text_is_one_article() -> None:
    (article,) = parse_page("工会新闻标题\n\n这是正文第一句。这是第二句。\n", "tiny.txt")
    assert (article.title, article.body, article.kind) == ("工会新闻标题", "这是正文第一句。这是第二句。", "news")
    assert (article.line_start, article.line_end) == (1, 3)


@pytest.mark.parametrize("text", ["随便写点什么", "# 只有横幅\n\n### 只有栏目", ""])
def test_a_page_without_articles_raises(text: str) -> None:
    with pytest.raises(PageError, match="no article found"):
        parse_page(text, "nothing.txt")


def test_report_accounts_for_every_character_of_the_seed_pages(seeds_dir: Path) -> None:
    """Only the `#` banner (pages 001-004, line 3) is in no article; `###` labels are kept as the sections of the
    articles under them; 000 has no banner, so all of it is kept."""
    for path in sorted(seeds_dir.glob("*.txt")):
        report = parse_report(path.read_text(encoding="utf-8"), path.name)
        assert len(report.articles) == len(TITLES[path.name])
        assert report.dropped == (() if path.name == P0 else ((3, BANNER),)), path.name
        assert report.chars_total - report.chars_kept == (0 if path.name == P0 else len(BANNER))
