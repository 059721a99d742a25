"""Articles through the real server: listing, reading, id validation, uploads (text and multipart, size limits),
the upload -> search -> delete cycle, and asks that keep working while a page is being ingested.
"""

from __future__ import annotations

import threading

import httpx
import pytest
from api_server import MAX_UPLOAD_BYTES, error_of

UNIQUE_PAGE = """# 深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面

## 怀柔区总工会举办雁栖湖畔职工读书节

本报讯（记者 测试员）近日，怀柔区总工会在雁栖湖畔举办首届职工读书节，300余名职工参加。读书节设置了经典诵读、图书漂流和读书分享会三个环节。

活动现场，怀柔区总工会向基层职工书屋赠送图书2000册，并为10名“书香职工”颁发证书。
"""



# -- articles -----------------------------------------------------------------------------------------------

def test_list_articles_paged(client):
    first = client.get("/api/articles", params={"page": 1, "size": 5}).json()
    second = client.get("/api/articles", params={"page": 2, "size": 5}).json()
    same = client.get("/api/articles", params={"offset": 5, "limit": 5}).json()
    assert first["total"] > 10 and len(first["items"]) == 5
    assert second["items"] == same["items"] and second["offset"] == 5
    assert not {a["id"] for a in first["items"]} & {a["id"] for a in second["items"]}
    item = first["items"][0]
    assert set(item) == {"id", "title", "subtitle", "source", "kind", "date", "publisher", "districts", "regions",
                         "reporters", "line_start", "line_end"}
    everything = client.get("/api/articles", params={"size": 500}).json()
    assert len(everything["items"]) == everything["total"] == first["total"]


def test_list_articles_filtered(client):
    source = "003_8172d0507c8e507c.txt"
    by_source = client.get("/api/articles", params={"source": source}).json()
    assert by_source["total"] >= 3 and {a["source"] for a in by_source["items"]} == {source}
    by_district = client.get("/api/articles", params={"district": "密云区"}).json()
    assert by_district["total"] >= 1 and all("密云区" in a["districts"] for a in by_district["items"])
    assert client.get("/api/articles", params={"district": "火星区"}).json() == {
        "total": 0, "offset": 0, "limit": 20, "items": []}


def test_get_article_has_full_text(client):
    item = client.get("/api/articles", params={"source": "003_8172d0507c8e507c.txt"}).json()["items"][0]
    article = client.get(f"/api/articles/{item['id']}").json()
    assert article["id"] == item["id"] and article["title"] == item["title"]
    assert article["body"] and article["paragraphs"]
    for start, end in article["paragraphs"]:
        assert 0 <= start < end <= len(article["body"])
    for key in ("kicker", "section", "banner", "correspondents", "photo_credit", "places", "organisations"):
        assert key in article


@pytest.mark.parametrize("bad_id", [
    "zzz", "9D99FD9DCB55520A", "９d99fd9dcb55520a", "0" * 15, "0" * 17, "%2e%2e", "..%2F..%2Fetc%2Fpasswd",
    "..%5C..%5Cwindows", "0000000000000000%00", "%E2%80%AE0000000000000000", "0000000000000000%0A", "%20",
])
def test_bad_article_ids_are_rejected(client, auth, bad_id):
    for response in (client.get(f"/api/articles/{bad_id}"), client.delete(f"/api/articles/{bad_id}", headers=auth)):
        assert response.status_code in (400, 404)
        error_of(response, response.status_code)


def test_unknown_article_is_404(client, auth):
    assert error_of(client.get("/api/articles/0123456789abcdef"), 404)["code"] == "not_found"
    error_of(client.delete("/api/articles/0123456789abcdef", headers=auth), 404)


def test_upload_search_delete_cycle(client, auth):
    source = "test-yanqi-reading.txt"
    response = client.post("/api/articles", params={"source": source}, content=UNIQUE_PAGE.encode("utf-8"),
                           headers={**auth, "Content-Type": "text/plain; charset=utf-8"})
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["source"] == source and result["encoding"].startswith("utf")
    assert len(result["added"]) == 1 and result["duplicates"] == []
    (article_id,) = result["added"]
    assert result["articles"] == [{"id": article_id, "title": "怀柔区总工会举办雁栖湖畔职工读书节",
                                   "status": "added"}]
    try:
        hits = client.post("/api/search", json={"query": "雁栖湖畔职工读书节", "retriever": "bm25"}).json()["hits"]
        assert hits[0]["article_id"] == article_id
        answer = client.post("/api/ask", json={"question": "怀柔区总工会向职工书屋赠送了多少册图书？"}).json()
        assert article_id in {c["article_id"] for c in answer["citations"]}
        assert client.get(f"/api/articles/{article_id}").json()["source"] == source

        again = client.post("/api/articles", content=UNIQUE_PAGE.encode("utf-8"),
                            headers={**auth, "Content-Type": "text/plain"})
        assert again.status_code == 200
        assert again.json()["duplicates"] == [article_id] and again.json()["added"] == []
        assert again.json()["articles"][0]["status"] == "duplicate"
    finally:
        deleted = client.delete(f"/api/articles/{article_id}", headers=auth)
    assert deleted.status_code == 200 and deleted.json()["deleted"]["id"] == article_id
    error_of(client.get(f"/api/articles/{article_id}"), 404)
    hits = client.post("/api/search", json={"query": "雁栖湖畔职工读书节", "retriever": "bm25"}).json()["hits"]
    assert article_id not in {h["article_id"] for h in hits}
    error_of(client.delete(f"/api/articles/{article_id}", headers=auth), 404)


def test_upload_multipart_gbk_file(client, auth):
    page = UNIQUE_PAGE.replace("雁栖湖畔", "怀北镇").encode("gbk")
    files = {"file": ("..\\..\\pages/怀北.txt", page, "text/plain")}
    response = client.post("/api/articles", files=files, headers=auth)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["source"] == "怀北.txt" and result["encoding"] == "gb18030"
    for article_id in result["added"]:
        assert client.delete(f"/api/articles/{article_id}", headers=auth).status_code == 200


@pytest.mark.parametrize(("content", "ctype", "status"), [
    (b"", "text/plain", 422),
    (b"\x00\x01\x02binary\x00" * 50, "text/plain", 422),
    (b"hello world, no Chinese here", "text/plain", 422),
    (b'{"page": "x"}', "application/json", 415),
])
def test_bad_uploads(client, auth, content, ctype, status):
    error_of(client.post("/api/articles", content=content, headers={**auth, "Content-Type": ctype}), status)


def test_multipart_without_file_field(client, auth):
    error_of(client.post("/api/articles", data={"page": "工会"}, files={"other": ("a.txt", b"x")}, headers=auth),
             400)


def test_upload_size_limits(client, auth):
    # declared too large: refused before the body is read
    declared = client.post("/api/articles", content=b"a" * (MAX_UPLOAD_BYTES + 100_000),
                           headers={**auth, "Content-Type": "text/plain"})
    assert error_of(declared, 413)["code"] == "payload_too_large"
    # within the transport slack but over the page limit
    error_of(client.post("/api/articles", content="工".encode() * (MAX_UPLOAD_BYTES // 3 + 1),
                         headers={**auth, "Content-Type": "text/plain"}), 413)

    def chunked():  # no Content-Length: counted while reading
        for _ in range(40):
            yield "工会".encode() * 2000

    streamed = client.post("/api/articles", content=chunked(), headers={**auth, "Content-Type": "text/plain"})
    error_of(streamed, 413)


# -- concurrency --------------------------------------------------------------------------------------------

def test_asks_keep_working_during_an_ingest(client, auth):
    page = "\n\n".join(UNIQUE_PAGE.replace("雁栖湖畔", f"第{i}号园区").replace("300余名", f"{i}名")
                       for i in range(1, 13))
    outcome: dict[str, httpx.Response] = {}

    def upload() -> None:
        outcome["upload"] = client.post("/api/articles", params={"source": "concurrent.txt"},
                                        content=page.encode(), headers={**auth, "Content-Type": "text/plain"})

    thread = threading.Thread(target=upload)
    thread.start()
    statuses = []
    while thread.is_alive() or len(statuses) < 3:
        statuses.append(client.post("/api/ask", json={"question": "密云区工匠学院何时成立？"}).status_code)
    thread.join()
    assert set(statuses) == {200}
    added = outcome["upload"].json()["added"]
    assert outcome["upload"].status_code == 201 and len(added) >= 2
    try:
        listed = client.get("/api/articles", params={"source": "concurrent.txt", "size": 500}).json()
        assert {a["id"] for a in listed["items"]} == set(added)
    finally:
        for article_id in added:
            client.delete(f"/api/articles/{article_id}", headers=auth)


# -- uploads of other formats, their accounting, and place/publisher/date filters ----------------------------------

EXPORT_ROWS = (
    '{"title": "西湖区总工会举办茶艺师技能大赛", "date": "2024-05-20", "source": "浙江日报", '
    '"content": "5月18日，杭州市西湖区总工会举办茶艺师技能大赛，60名职工参加。"}\n'
    '{"title": "岳麓区总工会开展茶艺师培训", "date": "2023-07-26 09:28", "media": "长沙晚报", '
    '"content": "长沙市岳麓区总工会开展茶艺师培训，40名职工结业。"}\n'
    "不是一行JSON\n"
)


def test_upload_export_reports_rows_and_filters_by_place(client, auth):
    files = {"file": ("tea.jsonl", EXPORT_ROWS.encode("utf-8"), "application/octet-stream")}
    response = client.post("/api/articles", files=files, headers=auth)
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["format"], len(result["added"])) == ("export", 2)
    assert result["dropped_lines"] == [{"line": 3, "text": "not valid JSON (Expecting value): 不是一行JSON"}]
    assert result["dropped_chars"] == len("不是一行JSON") and result["warning"] is None  # 8 of ~120: over 90% kept
    try:
        def titles(filters):
            body = {"query": "茶艺师", "retriever": "bm25", "k": 10, "filters": filters}
            return {h["title"] for h in client.post("/api/search", json=body).json()["hits"]}

        assert titles({"places": ["杭州市"]}) == {"西湖区总工会举办茶艺师技能大赛"}
        assert titles({"places": ["湖南省"]}) == {"岳麓区总工会开展茶艺师培训"}
        assert titles({"sources": ["长沙晚报"]}) == {"岳麓区总工会开展茶艺师培训"}
        assert titles({"sources": ["tea.jsonl"], "date_from": "2024-01-01"}) == {"西湖区总工会举办茶艺师技能大赛"}
        listed = client.get("/api/articles", params={"place": "西湖区", "since": "2024-01-01"}).json()
        assert [a["title"] for a in listed["items"]] == ["西湖区总工会举办茶艺师技能大赛"]
        assert listed["items"][0]["regions"] == ["浙江省", "杭州市", "西湖区"]
        assert listed["items"][0]["date"] == "2024-05-20" and listed["items"][0]["publisher"] == "浙江日报"
        assert client.get("/api/articles", params={"source": "长沙晚报", "until": "2023-07-25"}).json()["total"] == 0
        ask = client.post("/api/ask", json={"question": "茶艺师技能大赛有多少名职工参加？",
                                            "filters": {"places": ["西湖区"]}}).json()
        assert {c["article_id"] for c in ask["citations"]} <= set(result["added"])
    finally:
        for article_id in result["added"]:
            assert client.delete(f"/api/articles/{article_id}", headers=auth).status_code == 200


def test_upload_html_warns_when_much_is_dropped(client, auth):
    html = ("<html><head><meta charset='utf-8'><title>示例</title></head><body>"
            + "".join(f"<div class='nav'><a href='/{i}'>栏目导航链接{i}号</a></div>" for i in range(20))
            + "<h1>天心区总工会举办职工乒乓球赛</h1><p>7月20日，长沙市天心区总工会举办职工乒乓球赛，"
            "来自辖区企业的80名职工参加了比赛，赛期两天。</p></body></html>")
    files = {"file": ("pingpong.html", html.encode("utf-8"), "text/html")}
    response = client.post("/api/articles", files=files, headers=auth)
    assert response.status_code == 201, response.text
    result = response.json()
    try:
        assert result["format"] == "html" and result["warning"].startswith("only ")
        assert len(result["dropped_lines"]) == 20 and result["dropped_lines"][0]["text"] == "栏目导航链接0号"
        assert result["kept_chars"] + result["dropped_chars"] > 20 * 7
    finally:
        for article_id in result["added"]:
            client.delete(f"/api/articles/{article_id}", headers=auth)


def test_upload_that_yields_nothing_is_422_with_the_reason(client, auth):
    files = {"file": ("titles.jsonl", '{"title": "只有标题"}\n'.encode(), "application/octet-stream")}
    error = error_of(client.post("/api/articles", files=files, headers=auth), 422)
    assert "no article in this export" in error["message"] and "no body text" in error["message"]
    error_of(client.post("/api/articles", params={"field": "正文"}, files=files, headers=auth), 422)  # not ROLE=NAME
    # a name that strips to nothing (a control character such as \x1d) is refused by the schema too, not past it
    error_of(client.post("/api/articles", params={"field": "publisher=\x1d"}, files=files, headers=auth), 422)
    error = error_of(client.post("/api/articles", params={"field": "body=正文"}, files=files, headers=auth), 422)
    assert "no field '正文' in this export" in error["message"]


@pytest.mark.parametrize("filters", [{"date_from": "last week"}, {"date_to": "2023-7-1"}, {"places": "杭州市"}])
def test_bad_filters_are_rejected(client, filters):
    error_of(client.post("/api/search", json={"query": "工会", "filters": filters}), 422)


def test_a_body_without_a_name_is_recognised_by_its_content(client, auth):
    row = '{"title": "萧山区总工会举办插花比赛", "content": "杭州市萧山区总工会举办职工插花比赛，50名职工参加。"}'
    response = client.post("/api/articles", content=row.encode("utf-8"), headers={**auth, "Content-Type": "text/plain"})
    assert response.status_code == 201, response.text
    result = response.json()
    try:
        assert result["format"] == "export" and result["articles"][0]["title"] == "萧山区总工会举办插花比赛"
    finally:
        for article_id in result["added"]:
            client.delete(f"/api/articles/{article_id}", headers=auth)


def test_export_rows_are_listed_in_row_order(client, auth):
    rows = "\n".join(f'{{"title": "第{n}条测试新闻", "content": "第{n}条测试新闻的正文，职工参加。"}}' for n in range(1, 12))
    files = {"file": ("order.jsonl", rows.encode("utf-8"), "application/octet-stream")}
    result = client.post("/api/articles", files=files, headers=auth).json()
    try:
        listed = client.get("/api/articles", params={"source": "order.jsonl", "size": 20}).json()["items"]
        assert [a["source"] for a in listed] == [f"order.jsonl#{n}" for n in range(1, 12)]  # #2 before #10
    finally:
        for article_id in result["added"]:
            client.delete(f"/api/articles/{article_id}", headers=auth)
