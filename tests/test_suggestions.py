"""Starter questions: ``rag.answer.starters`` on hand-made articles, and ``GET /api/suggestions`` on the seeded server."""

from __future__ import annotations

from rag.answer.starters import starter_questions
from rag.types import Article, Filters


def art(id_: str, title: str, source: str = "p1.txt", date: str = "", regions: tuple[str, ...] = ()) -> Article:
    return Article(id_, title, "正文。", source, date=date, regions=regions)


ARTICLES = [
    art("a", "杭州市总工会举办职工运动会", "p1.txt", "2024-05-01", ("浙江省", "杭州市")),
    art("b", "西湖区开展技能比武。", "p1.txt", "2024-05-03", ("浙江省", "杭州市", "西湖区")),
    art("c", "昌平区工会第六次代表大会召开", "p2.txt", "", ("北京市", "昌平区")),
    art("d", "短题", "p2.txt", "2024-06-01"),                                   # too short for a question
    art("e", "西湖区开展技能比武", "p3.txt", "2024-04-01"),                      # same title as b
    art("f", "南京市职工书屋建设推进会在玄武区召开", "p3.txt", "2023-12-31", ("江苏省", "南京市", "玄武区")),
]


def questions(**kwargs: object) -> list[str]:
    return [s.question for s in starter_questions(ARTICLES, **kwargs)]


def test_newest_first_one_per_source_then_the_rest() -> None:
    assert questions(n=3) == ["西湖区开展技能比武是怎么回事？", "南京市职工书屋建设推进会在玄武区召开是怎么回事？",
                              "昌平区工会第六次代表大会召开是怎么回事？"]
    assert questions(n=10)[3:] == ["杭州市总工会举办职工运动会是怎么回事？"]  # p1's second article, after the pass


def test_filters_by_place_and_date() -> None:
    assert questions(filters=Filters(places=("杭州市",))) == ["西湖区开展技能比武是怎么回事？",
                                                             "杭州市总工会举办职工运动会是怎么回事？"]
    assert questions(filters=Filters(date_from="2024-05-02")) == ["西湖区开展技能比武是怎么回事？"]
    assert questions(filters=Filters(places=("广州市",))) == []


def test_the_endpoint_serves_titles_of_the_corpus(client) -> None:
    res = client.get("/api/suggestions")
    assert res.status_code == 200, res.text
    got = res.json()["questions"]
    titles = {a["id"]: a["title"] for a in client.get("/api/articles", params={"size": 100}).json()["items"]}
    assert len(got) == 4
    for s in got:
        assert s["question"] == f"{s['title']}是怎么回事？" and titles[s["article_id"]] == s["title"]

    source = "003_8172d0507c8e507c.txt"
    only = client.get("/api/suggestions", params={"source": source, "n": 10}).json()["questions"]
    in_page = {a["id"] for a in client.get("/api/articles", params={"source": source, "size": 100}).json()["items"]}
    assert only and {s["article_id"] for s in only} <= in_page

    assert client.get("/api/suggestions", params={"since": "yesterday"}).status_code == 422
    assert client.get("/api/suggestions", params={"n": 0}).status_code == 422
