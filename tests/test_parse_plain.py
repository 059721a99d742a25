"""Plain articles (a text with no item lead), web furniture, dates, publishers and the accounting of dropped text;
then the real public sets (CRUD-RAG news, CMRC 2018, DRCD), which skip when ``../shared/data`` is absent.
The small texts below are invented in the style of web news exports; their expectations are counted by hand."""

from __future__ import annotations

import json
import random
import re
import tarfile
import unicodedata
from pathlib import Path

import pytest

from rag.errors import PageError
from rag.ingest.parse import PageParse, parse_page, parse_report
from rag.ingest.textnorm import clean_line

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_a_web_export_line_is_one_article_with_its_furniture_reported() -> None:
    doc = "2023-08-16 17:26，正文：原标题：某市举办职工运动会    某市职工运动会15日开幕，共有三千名职工参加" \
          "返回搜狐，查看更多                 责任编辑："
    report = parse_report(doc, "web.txt")
    (article,) = report.articles
    # the original title stood apart from the text (a wide gap): it is the title; no final 。 is needed
    assert (article.title, article.body, article.date) == ("某市举办职工运动会", "某市职工运动会15日开幕，共有三千名职工参加", "2023-08-16")
    assert report.dropped == ((1, "2023-08-16 17:26，正文："), (1, "原标题："), (1, "返回搜狐，查看更多"), (1, "责任编辑："))
    assert report.chars_total == 20 + 4 + 9 + 22 + 9 + 5  # lead-in, 原标题：, title, body, 返回搜狐…, 责任编辑：
    assert report.chars_kept == 9 + 22


def test_a_dateline_gives_publisher_reporters_and_date() -> None:
    doc = "[ 2023-07-28 16：40 ] ，正文：人民网柏林7月28日电 （记者 张三）德国联邦统计局28日公布，二季度经济环比持平。"
    (article,) = parse_page(doc, "wire.txt")
    assert (article.publisher, article.reporters, article.date) == ("人民网", ("张三",), "2023-07-28")
    assert article.title == "德国联邦统计局28日公布"  # derived: the lead's first clause
    assert article.body.startswith("人民网柏林7月28日电（记者 张三）德国联邦统计局")


@pytest.mark.parametrize(("doc", "publisher"), [
    ("荆楚网（湖北日报网）讯（记者 李四 通讯员 王五）8月16日，某区开展消防演练。", "荆楚网"),
    ("据新华社电 近日，某地发布新规，自下月起施行。", "新华社"),
    ("据中新网报道，某省今年夏粮喜获丰收。", "中新网"),
    ("近日，某县启动秋季植树活动。", ""),
])
def test_publishers(doc: str, publisher: str) -> None:
    assert parse_page(doc, "x.txt")[0].publisher == publisher


def test_a_wiki_page_with_a_hash_title_is_one_article() -> None:
    (article,) = parse_page("# 泡泡糖 (零食)\n\n泡泡糖是一种可以吹出泡泡的口香糖。它最早出现于二十世纪初。", "wiki.md")
    assert (article.title, article.body) == ("泡泡糖（零食）", "泡泡糖是一种可以吹出泡泡的口香糖。它最早出现于二十世纪初。")


def test_a_markdown_article_with_subheadings_is_one_article_titled_by_its_first_line() -> None:
    text = "### 科普\n\n# 怎样预防中暑\n\n## 少在正午外出\n\n高温天气要减少外出。\n\n# 及时补水\n\n要少量多次饮水。\n"
    report = parse_report(text, "guide.md")
    (article,) = report.articles
    assert (article.title, article.section, article.banner) == ("怎样预防中暑", "科普", "")
    assert article.body == "少在正午外出\n高温天气要减少外出。\n及时补水\n要少量多次饮水。"  # subheadings stand alone
    assert report.dropped == ()


def test_a_plain_article_over_several_lines_with_a_boilerplate_line() -> None:
    text = "社区开展义诊活动\n\n近日，社区卫生服务中心在广场开展义诊活动。\n\n居民纷纷前来咨询\n\n责任编辑：王五\n"
    report = parse_report(text, "plain.txt")
    (article,) = report.articles
    assert article.title == "社区开展义诊活动"
    assert article.body == "近日，社区卫生服务中心在广场开展义诊活动。\n居民纷纷前来咨询"
    assert (article.line_start, article.line_end) == (1, 5)
    assert report.dropped == ((7, "责任编辑：王五"),)


def test_a_first_line_that_is_a_sentence_is_not_taken_for_a_title() -> None:
    (article,) = parse_page("近日，某县启动秋季植树活动，共栽下树苗两万株。\n活动持续一周。", "x.txt")
    assert article.title == "某县启动秋季植树活动"
    assert article.body.startswith("近日，某县启动")


@pytest.mark.parametrize(("doc", "title"), [
    ("蓍\n\n蓍（学名：，拼音：shì），又名欧蓍、千叶蓍，是菊科蓍属的多年生草本植物。\n", "蓍"),
    ("锦地罗\n\n锦地罗（学名：），又称作宽叶毛毡苔。全长通常只有2cm。\n", "锦地罗"),
    ("茶叶\n\n茶叶是茶树的叶子和芽。\n", "茶叶"),
])
def test_a_short_name_set_apart_on_the_first_line_is_the_title(doc: str, title: str) -> None:
    """Titles of one to three characters are common in reference texts; a blank line below sets them apart from
    the text (without it the line is taken for the start of a sentence broken over two lines)."""
    (article,) = parse_page(doc, "ref.txt")
    assert article.title == title
    assert article.body == doc.split("\n\n", 1)[1].strip()


def test_an_ad_inside_a_line_is_cut_out_and_reported() -> None:
    text = "某地举办读书节  读书节共吸引五千人参加。广告 新品上市 >>进入直播间看看 ×  活动将持续到月底。"
    report = parse_report(text, "x.txt")
    assert report.articles[0].body == "读书节共吸引五千人参加。\n活动将持续到月底。"
    assert report.dropped == ((1, "广告 新品上市 >>进入直播间看看 ×"),)


@pytest.mark.parametrize("text", ["随便写点什么", "# 只有横幅\n\n### 只有栏目", "", "责任编辑：王五"])
def test_a_text_without_an_article_raises(text: str) -> None:
    with pytest.raises(PageError, match="no article found"):
        parse_report(text, "nothing.txt")


# ---------------------------------------------------------------- real public data


def _needs(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared public data sets (../shared/data) are needed for this test")
    return path


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _source_minus_dropped(source: str, report: PageParse) -> str:
    """The source with the dropped pieces taken out, each after the previous one (the report lists them in order)."""
    rest, cursor = _squash(source), 0
    for _, piece in report.dropped:
        at = rest.find(_squash(piece), cursor)
        assert at >= 0, piece
        rest, cursor = rest[:at] + rest[at + len(_squash(piece)) :], at
    return rest


@pytest.fixture(scope="module")
def crud_sample() -> list[str]:
    """500 documents drawn (seed 0) from the first two files of the CRUD archive (reading all of it takes ~1 min;
    ``scripts/parse_corpora.py`` samples the whole archive)."""
    docs: list[str] = []
    with tarfile.open(_needs(DATA / "crud" / "docs.tar.xz"), "r|xz") as tar:
        for member in tar:
            if member.isfile():
                text = tar.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
                docs.extend(line for line in text.split("\n") if line.strip())
                if len(docs) > 3000:
                    break
    return random.Random(0).sample(docs, 500)


def test_crud_documents_are_one_article_each_and_only_furniture_is_dropped(crud_sample: list[str]) -> None:
    dated = 0
    for n, doc in enumerate(crud_sample):
        report = parse_report(doc, f"crud{n}.txt")
        assert len(report.articles) == 1, doc[:80]
        article = report.articles[0]
        rest = _source_minus_dropped(doc, report)
        assert rest in (_squash(article.body), _squash(article.title) + _squash(article.body)), doc[:80]
        assert report.chars_kept == report.chars_total - sum(len(t) for _, t in report.dropped)
        dated += bool(article.date)
        assert not re.search(r"正文[：:]|返回搜狐|原标题[：:]", article.body[:40]), doc[:80]
    assert dated >= 300  # most exports start with a timestamp


@pytest.mark.parametrize(("path", "pages"), [("cmrc2018/cmrc2018_trial.json", 256), ("drcd/DRCD_dev.json", 1000)])
def test_wiki_paragraphs_as_hash_title_pages(path: str, pages: int) -> None:
    data = json.loads(_needs(DATA / path).read_text(encoding="utf-8"))["data"]
    found = 0
    for entry in data:
        for para in entry["paragraphs"]:
            report = parse_report(f"# {entry['title']}\n\n{para['context']}", "wiki.md")
            (article,) = report.articles
            assert article.title == clean_line(entry["title"])
            assert _squash(article.body) == _squash(para["context"])
            assert report.dropped == ()
            found += 1
    assert found == pages
