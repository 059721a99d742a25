"""Pages of papers that set their items apart by space rather than by a lead: ■/● titles, bracketed section labels,
captions between a title and its lead, titles with a comma, items printed with no dateline."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.ingest.pages import read_page
from rag.ingest.parse import parse_report

PAGE = Path(__file__).parent / "pages" / "spaced_gbk.txt"  # GBK, paragraphs on consecutive lines, items after a blank


@pytest.fixture(scope="module")
def text() -> str:
    return read_page(PAGE).text


def _titles(text: str) -> list[tuple[str, str, str]]:
    return [(a.kicker, a.title, a.subtitle) for a in parse_report(text, PAGE.name).articles]


def test_each_item_is_an_article_with_its_own_title(text: str) -> None:
    assert _titles(text) == [
        ("", "城东新区开通首条夜间公交线路", ""),
        ("", "全市春季招聘会提供岗位1.2万个", "求职者可现场投递简历"),
        ("【体育】", "市青少年游泳锦标赛落幕，东湖中学获团体第一", ""),
    ]


def test_an_item_with_no_lead_is_not_merged_into_the_one_before(text: str) -> None:
    first, jobs, _ = parse_report(text, PAGE.name).articles
    assert "招聘会" not in first.body
    assert jobs.body.startswith("近日，记者从市人力资源和社会保障局获悉")
    assert (jobs.line_start, jobs.line_end) == (12, 17)


def test_a_caption_between_title_and_lead_is_reported_not_taken_for_the_title(text: str) -> None:
    report = parse_report(text, PAGE.name)
    swim = report.articles[2]
    assert swim.reporters == ("周敏",)  # 东江晚报融媒讯（记者 周敏）: a channel of the paper, then the credit
    assert swim.body.startswith("东江晚报融媒讯（记者 周敏）3月3日")
    assert (21, "△运动员在比赛中。本报记者 周敏 摄") in report.dropped


def test_a_caption_closes_its_paragraph(text: str) -> None:
    bus = parse_report(text, PAGE.name).articles[0]
    assert "图：N1路公交车驶出首末站。通讯员 李伟 摄" in bus.body.split("\n")


def test_the_same_page_spaced_with_blank_lines_parses_the_same(text: str) -> None:
    # paragraphs one blank line apart, items two: the wider gap still sets the items apart
    spaced = "\n".join(line + "\n" if line else "" for line in text.split("\n"))
    assert _titles(spaced) == _titles(text)
    assert _titles(text.replace("\n", "\r\n")) == _titles(text)
