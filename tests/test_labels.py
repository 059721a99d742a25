"""Citation labels: a newspaper-style reference built from the article's metadata, never its file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.schemas import AskResponse, CitationOut
from rag.answer.labels import article_label, format_date, page_name, title_label
from rag.ingest.pages import read_page
from rag.ingest.parse import parse_page
from rag.types import Answer, Article, Citation

FILE = "004_abbda0325e153582.txt"


def make(**fields: object) -> Article:
    return Article("id1", fields.pop("title", "密云区工匠学院成立"), "正文。", FILE, **fields)


@pytest.mark.parametrize(("fields", "label"), [
    ({}, "《密云区工匠学院成立》"),
    ({"publisher": "人民网", "date": "2023-07-28"}, "人民网 · 2023年7月28日 · 《密云区工匠学院成立》"),
    ({"publisher": "新华社", "date": "2023-07"}, "新华社 · 2023年7月 · 《密云区工匠学院成立》"),
    ({"date": "2023-01-05", "section": "第3版 要闻", "banner": "要闻"}, "2023年1月5日 · 第3版 要闻 · 《密云区工匠学院成立》"),
    ({"banner": "第2版"}, "第2版 · 《密云区工匠学院成立》"),
    ({"banner": "江城晚报 第A05版 民生新闻", "section": "消费观察"}, "江城晚报 第A05版 民生新闻 · 消费观察 · 《密云区工匠学院成立》"),
    ({"banner": "深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面"}, "《密云区工匠学院成立》"),  # a slogan, not a page
    ({"title": "  两行\n标题 ", "publisher": " 北京日报 "}, "北京日报 · 《两行 标题》"),
    ({"title": ""}, "（无标题报道）"),
])
def test_article_label(fields: dict, label: str) -> None:
    assert article_label(make(**fields)) == label


def test_helpers() -> None:
    assert [format_date(d) for d in ("2024-12-01", "2024-2", "昨天", " ")] == ["2024年12月1日", "2024年2月", "昨天", ""]
    assert page_name(make(section="  国内  新闻 ")) == "国内 新闻"
    assert page_name(make(section="要闻", banner="第3版 要闻")) == "第3版 要闻"
    assert title_label("体验插花艺术") == "《体验插花艺术》"


def test_pages_are_labelled_by_title_never_by_file(seeds_dir: Path) -> None:
    """The seeds (no publisher, no date, a slogan banner) and the other papers' test pages."""
    pages = sorted(seeds_dir.glob("*.txt")) + sorted((Path(__file__).parent / "pages").glob("*.txt"))
    for path in pages:
        for article in parse_page(read_page(path).text, path.name):
            label = article_label(article)
            assert path.name not in label and ".txt" not in label
            assert label.endswith(f"《{' '.join(article.title.split())}》")


def test_api_labels_come_from_the_index_and_fall_back_to_the_title() -> None:
    article = make(publisher="人民网", date="2023-07-28")
    cite = Citation(1, "id1", "id1:0", article.title, FILE, "正文。", "正文。", 0, 3, 1.0)
    gone = Citation(2, "id2", "id2:0", "已删除的报道", "005_x.txt", "另文。", "另文。", 0, 3, 0.5)
    assert CitationOut.of(cite, {"id1": article}).label == "人民网 · 2023年7月28日 · 《密云区工匠学院成立》"
    assert CitationOut.of(gone, {"id1": article}).label == "《已删除的报道》"
    out = AskResponse.of(Answer("正文[1]。另文[2]。", True, "q", (cite, gone)), {"id1": article})
    assert [c.label for c in out.citations] == ["人民网 · 2023年7月28日 · 《密云区工匠学院成立》", "《已删除的报道》"]
    assert all(c.source not in c.label for c in out.citations)
