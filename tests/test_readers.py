"""Files of every supported format → documents: exports (JSON Lines, CSV), saved HTML pages, encodings, and the
accounting of kept and dropped text. The fixtures are written here by hand; the numbers can be checked by eye."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.ingest.exports import field_map, normalise_date
from rag.ingest.parse import article_id
from rag.ingest.readers import kind_of, read_data, read_documents

ROWS = [
    {"title": "西湖区总工会举办职工技能大赛", "published_at": "2024-05-20 09:30", "source": "示例新闻网",
     "url": "https://news.example.cn/1.html", "content": "5月18日，杭州市西湖区总工会举办技能大赛。\n300余名职工参加。"},
    {"date": "2023-08-16 17:26", "content": "原标题：长春朝阳区开展送清凉活动 连日来，长春市朝阳区总工会走访一线职工。"},
]


def jsonl(rows: list[object], extra: str = "") -> bytes:
    return ("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n" + extra).encode("utf-8")


def test_jsonl_rows_become_articles() -> None:
    doc = read_data(jsonl(ROWS), "news.jsonl")
    first, second = doc.articles
    assert doc.kind == "export" and not doc.error and doc.dropped == ()
    assert (first.title, first.date, first.publisher, first.url) == (
        "西湖区总工会举办职工技能大赛", "2024-05-20", "示例新闻网", "https://news.example.cn/1.html")
    assert first.body == "5月18日，杭州市西湖区总工会举办技能大赛。\n300余名职工参加。"
    assert first.paragraphs == ((0, 22), (23, 33))
    assert first.id == article_id(first.title, first.body) and first.source == "news.jsonl#1"
    # no title field: the title comes from the 原标题 lead; the body keeps the text as written
    assert (second.title, second.date) == ("长春朝阳区开展送清凉活动", "2023-08-16")
    assert second.body.startswith("原标题：")


def test_bad_rows_are_reported_not_lost() -> None:
    doc = read_data(jsonl(ROWS + [{"title": "只有标题"}], extra="这不是JSON\n"), "news.jsonl")
    assert len(doc.articles) == 2
    assert [no for no, _ in doc.dropped] == [3, 4]
    assert "no body text" in doc.dropped[0][1] and "not valid JSON" in doc.dropped[1][1]
    assert doc.chars_total - doc.chars_kept == len("只有标题") + len("这不是JSON")


def test_an_export_with_no_usable_row_is_an_error() -> None:
    doc = read_data(jsonl([{"title": "只有标题"}]), "empty.jsonl")
    assert doc.articles == () and "no article in this export" in doc.error and "empty.jsonl" in doc.error


def test_csv_with_chinese_headers_and_a_field_override() -> None:
    data = "标题,发布时间,来源,稿件\n南昌西湖区办运动会,2023年7月1日,江西日报,南昌市西湖区总工会举办职工运动会。\n"
    assert read_data(data.encode("gb18030"), "a.csv").error  # 稿件 is no common body name...
    doc = read_data(data.encode("gb18030"), "a.csv", {"body": "稿件"})  # ...until the caller names it
    (article,) = doc.articles
    assert (article.title, article.date, article.publisher, doc.encoding) == (
        "南昌西湖区办运动会", "2023-07-01", "江西日报", "gb18030")
    assert "no field '正文'" in read_data(data.encode(), "a.csv", {"body": "正文"}).error


def test_field_names_are_matched_case_insensitively() -> None:
    assert field_map(["Headline", "PubDate", "Media", "TEXT"]) == {
        "title": "Headline", "date": "PubDate", "publisher": "Media", "body": "TEXT"}


@pytest.mark.parametrize(("raw", "iso"), [
    ("[ 2023-07-28 16：40 ]", "2023-07-28"), ("2023/8/6 08:00", "2023-08-06"), ("2023年8月16日", "2023-08-16"),
    ("2023-08-16T09:30:00+08:00", "2023-08-16"), (1692172800, "2023-08-16"), (1692172800000, "2023-08-16"),
    ("2023-13-01", ""), ("昨天", ""), (None, ""),
])
def test_dates_are_normalised(raw: object, iso: str) -> None:
    assert normalise_date(raw) == iso


NEWS_HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>长沙岳麓区总工会开展送清凉活动_新闻中心_示例日报网</title>
<meta property="og:site_name" content="示例日报网">
<meta property="og:title" content="长沙岳麓区总工会开展送清凉活动">
<meta property="article:published_time" content="2023-07-26T09:28:00+08:00">
<link rel="canonical" href="https://www.example.com.cn/news/2023/0726/88.html">
<script>var ad = "广告位";</script><style>p {{ color: black; }}</style>
</head><body>
<div class="nav"><a href="/">首页</a> | <a href="/news">新闻中心</a> | <a href="/video">视频</a></div>
<div class="article">
<h1>长沙岳麓区总工会开展送清凉活动</h1>
<div class="info">2023-07-26 09:28 来源：示例日报网</div>
<p>7月25日，长沙市岳麓区总工会走进城市建设工地，为坚守在高温一线的200余名建筑工人送去绿豆、藿香正气水和毛巾等防暑降温物资。</p>
<p>岳麓区总工会负责人介绍，今年夏季送清凉活动将持续到8月底，计划覆盖全区60个工地和环卫站点，惠及一线职工5000余人。</p>
<p>活动中，工会干部还向工人们讲解了防暑知识，提醒大家合理安排作业时间，避开午间高温时段。</p>
</div>
<div class="related"><h3>相关新闻</h3><ul><li><a href="/a">天心区举办职工篮球赛</a></li></ul></div>
<div class="footer">版权所有 示例日报网 联系我们</div>
</body></html>
"""


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_saved_html_page(charset: str) -> None:
    html = NEWS_HTML.format(charset=charset)
    doc = read_data(html.encode("gb18030" if charset == "gbk" else charset), "page.html")
    (article,) = doc.articles
    assert doc.kind == "html" and doc.encoding == ("gb18030" if charset == "gbk" else "utf-8")
    assert (article.title, article.date, article.publisher) == ("长沙岳麓区总工会开展送清凉活动", "2023-07-26", "示例日报网")
    assert article.url == "https://www.example.com.cn/news/2023/0726/88.html"
    assert len(article.paragraphs) == 3 and article.body.startswith("7月25日，长沙市岳麓区总工会")
    assert "首页" not in article.body and "版权所有" not in article.body and "广告位" not in article.body
    dropped = [text for _, text in doc.dropped]
    # the menu, the date line, the related links and the footer are reported; the title and paragraphs are kept
    assert dropped == ["首页 | 新闻中心 | 视频", "2023-07-26 09:28 来源：示例日报网", "相关新闻", "天心区举办职工篮球赛",
                       "版权所有 示例日报网 联系我们"]
    assert doc.chars_kept == len(article.title) + len(article.body) - len(article.paragraphs) + 1


def test_html_with_no_text_is_an_error() -> None:
    doc = read_data(b"<html><head><title></title><script>var a = 1;</script></head><body><div></div></body></html>",
                    "empty.html")
    assert doc.error and "no article text" in doc.error


@pytest.mark.parametrize(("name", "head", "kind"), [
    ("a.jsonl", b"", "export:json"), ("a.CSV", b"", "export:csv"), ("a.tsv", b"", "export:tsv"),
    ("a.htm", b"", "html"), ("a.md", b"", "page"), ("upload-1", b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
    ("upload-2", b'{"title": "x"}', "export:json"), ("upload-3", "本报讯".encode(), "page"),
])
def test_kind_by_suffix_then_content(name: str, head: bytes, kind: str) -> None:
    assert kind_of(name, head) == kind


def test_a_directory_is_read_file_by_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "b.jsonl").write_bytes(jsonl(ROWS))
    (tmp_path / "a.html").write_text(NEWS_HTML.format(charset="utf-8"), encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")  # not a supported format: not picked up
    docs = read_documents(tmp_path)
    assert next(docs).source == "a.html"  # a generator: one file at a time
    assert [d.source for d in docs] == ["b.jsonl"]
    assert "skipped 1 file(s) of no supported format" in caplog.text and "notes.docx" in caplog.text


# -- the command line: per-file report, --verbose, --field, filters, and exit 1 for a file that yields nothing ----

@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    import os

    for key in [k for k in os.environ if k.startswith("RAG_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("RAG_MODEL", "hash-256")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    return tmp_path


def test_cli_ingest_reports_each_file(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rag.__main__ import main

    (cli_env / "page.html").write_text(NEWS_HTML.format(charset="utf-8"), encoding="utf-8")
    (cli_env / "rows.csv").write_text("标题,日期,稿件\n南昌西湖区办运动会,2023-07-01,南昌市西湖区总工会举办职工运动会。\n",
                                      encoding="utf-8")
    assert main(["-q", "ingest", str(cli_env / "page.html"), str(cli_env / "rows.csv"), "--field", "body=稿件",
                 "--verbose"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == "page.html: 1 added, 0 already indexed (html, utf-8); kept 180 of 248 characters, dropped 68"  # 15 + 63 + 59 + 43 kept; 14 + 25 + 4 + 10 + 15 dropped
    assert lines[1:3] == ["  dropped 1: 首页 | 新闻中心 | 视频", "  dropped 3: 2023-07-26 09:28 来源：示例日报网"]
    assert "rows.csv: 1 added, 0 already indexed (export, utf-8); kept 36 of 36 characters, dropped 0" in lines  # 9 + 10 + 17
    assert err.startswith("WARNING page.html: only 73% of the text (180 of 248 characters) is in articles")

    assert main(["-q", "search", "运动会", "--retriever", "bm25", "--place", "南昌市", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert [h["title"] for h in hits] == ["南昌西湖区办运动会"]
    assert main(["-q", "search", "运动会", "--retriever", "bm25", "--place", "杭州市", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["hits"] == []
    assert main(["-q", "search", "送清凉", "--retriever", "bm25", "--since", "2023-07-26", "--until", "2023-07-26",
                 "--json"]) == 0
    assert [h["title"] for h in json.loads(capsys.readouterr().out)["hits"]] == ["长沙岳麓区总工会开展送清凉活动"]


def test_cli_a_file_with_no_article_exits_1(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rag.__main__ import main

    (cli_env / "titles.jsonl").write_text('{"title": "只有标题"}\n', encoding="utf-8")
    assert main(["-q", "ingest", str(cli_env / "titles.jsonl")]) == 1
    assert "ERROR titles.jsonl: titles.jsonl: no article in this export; row 1: no body text" in capsys.readouterr().err
    assert main(["-q", "ingest", str(cli_env / "titles.jsonl"), "--field", "text"]) == 1
    assert "is not ROLE=NAME" in capsys.readouterr().err
    assert main(["-q", "search", "工会", "--since", "上周"]) == 1
    assert "--since '上周' is not a date" in capsys.readouterr().err


# -- real data: 500 random CRUD news documents as one JSON Lines file and as one CSV file -------------------------

CRUD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "crud" / "docs.tar.xz"


@pytest.fixture(scope="module")
def crud_rows() -> list[dict[str, str]]:
    """500 documents drawn with a fixed seed; each line ``DATE，正文：TEXT`` becomes ``{"date", "content"}``."""
    import random
    import tarfile

    if not CRUD.exists():
        pytest.skip(f"the CRUD documents are not at {CRUD} (../shared/data, see its README)")
    lines: list[str] = []
    with tarfile.open(CRUD) as tar:
        for member in tar:
            if member.isfile():
                data = tar.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
                lines.extend(line.strip() for line in data.split("\n") if line.strip())
    rows = []
    for line in random.Random(18).sample(lines, 500):
        head, sep, text = line.partition("，正文：")
        rows.append({"date": head.strip(" []"), "content": text} if sep else {"date": "", "content": line})
    return rows


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_500_crud_documents_give_500_articles(crud_rows: list[dict[str, str]], kind: str) -> None:
    import csv
    import io

    if kind == "jsonl":
        data = "\n".join(json.dumps(row, ensure_ascii=False) for row in crud_rows)
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, ["date", "content"])
        writer.writeheader()
        writer.writerows(crud_rows)
        data = buffer.getvalue()
    doc = read_data(data.encode("utf-8"), f"crud.{kind}")
    assert len(doc.articles) == 500 and doc.dropped == () and doc.chars_kept == doc.chars_total
    assert len({a.id for a in doc.articles}) == 500
    dated = [row for row in crud_rows if normalise_date(row["date"])]
    assert sum(1 for a in doc.articles if a.date) == len(dated) > 300  # every dated line keeps its date, as ISO
    assert all(a.title and len(a.title) <= 40 for a in doc.articles)
    # nothing of the text is lost: the body is the row's text, paragraph breaks aside
    assert all(a.body.split("\n") == [p.strip() for p in r["content"].splitlines() if p.strip()]
               for a, r in zip(doc.articles, crud_rows, strict=True))


def test_html_date_written_in_chinese_in_the_text() -> None:
    """No date in the markup: the first full date near the top of the text, not htmldate's guess (2023-01-01)."""
    html = ("<html><head><meta charset='utf-8'><title>天心区举办职工运动会</title></head><body><article>"
            "<h1>天心区举办职工运动会</h1><p>发布时间：2023年08月16日 17:26</p>"
            "<p>长沙市天心区总工会举办职工运动会，来自辖区企业的300余名职工参加了比赛，比赛为期两天。</p>"
            "<p>区总工会负责人表示，今后每年都将举办一次。</p></article></body></html>")
    (article,) = read_data(html.encode("utf-8"), "sports.html").articles
    assert article.date == "2023-08-16"
    assert article.title == "天心区举办职工运动会" and "天心区举办职工运动会" not in article.body.split("\n")
    undated = html.replace("<p>发布时间：2023年08月16日 17:26</p>", "")
    assert read_data(undated.encode("utf-8"), "sports.html").articles[0].date == ""


@pytest.mark.parametrize("wrap", [lambda rows: rows, lambda rows: {"status": "ok", "articles": rows}])
def test_json_files_pretty_printed(wrap) -> None:
    """A .json file holding an array of rows, or an object with one, pretty-printed over many lines."""
    doc = read_data(json.dumps(wrap(ROWS), ensure_ascii=False, indent=2).encode("utf-8"), "news.json")
    assert [a.title for a in doc.articles] == ["西湖区总工会举办职工技能大赛", "长春朝阳区开展送清凉活动"]
    assert doc.dropped == ()


def test_a_json_object_without_rows_is_an_error() -> None:
    doc = read_data(json.dumps({"status": "ok", "count": 0}, indent=2).encode(), "empty.json")
    assert "no list of rows" in doc.error


def test_a_csv_cell_longer_than_the_csv_default_limit() -> None:
    body = "职工技能大赛圆满结束。" * 20_000  # 220,000 characters: more than csv's 131,072 default
    (article,) = read_data(f"title,content\n长文,{body}\n".encode(), "long.csv").articles
    assert article.body == body


LD_HTML = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>宁波江北区开展职工健康体检 - 示例晚报</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"宁波江北区开展职工健康体检","datePublished":"2023-08-02T08:00:00+08:00","publisher":{"@type":"Organization","name":"示例晚报"},"author":{"@type":"Person","name":"李明"}}</script>
</head><body>
<header><a href="/">示例晚报首页</a> <a href="/city">城市</a> <a href="/life">生活</a></header>
<main><article>
<h1>宁波江北区开展职工健康体检</h1>
<p class="byline">记者 李明 通讯员 王芳</p>
<p>8月1日，宁波市江北区总工会启动2023年一线职工免费健康体检活动，首批500名环卫工人、快递员和网约车司机在区人民医院完成体检。</p>
<p>今年的体检项目在往年基础上增加了心脑血管和颈椎检查，预计全年将惠及全区3000余名一线职工。</p>
<table><tr><td>批次</td><td>人数</td></tr><tr><td>第一批</td><td>500</td></tr></table>
</article></main>
<section id="comments"><h3>网友评论</h3><div class="comment">这个活动真好，希望每年都办！</div></section>
<footer>示例晚报 版权所有</footer>
</body></html>
"""


def test_html_gb2312_with_json_ld_and_comments() -> None:
    """A page in GB2312 whose date and publisher are in JSON-LD; readers' comments and the byline line are left
    out of the body and reported as dropped."""
    doc = read_data(LD_HTML.encode("gb2312"), "ld.html")
    (article,) = doc.articles
    assert (doc.encoding, article.title, article.date, article.publisher) == (
        "gb18030", "宁波江北区开展职工健康体检", "2023-08-02", "示例晚报")
    assert article.body.split("\n")[:2] == [
        "8月1日，宁波市江北区总工会启动2023年一线职工免费健康体检活动，首批500名环卫工人、快递员和网约车司机在区人民医院完成体检。",
        "今年的体检项目在往年基础上增加了心脑血管和颈椎检查，预计全年将惠及全区3000余名一线职工。"]
    assert "网友评论" not in article.body and "这个活动真好" not in article.body
    assert [text for _, text in doc.dropped] == ["示例晚报首页 城市 生活", "记者 李明 通讯员 王芳", "网友评论",
                                               "这个活动真好，希望每年都办！", "示例晚报 版权所有"]
