"""Divisions of China at every level, from the packaged admin-division table; hand-written sentences."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rag.ingest.places import COUNTY, PROVINCE, counties, find_regions, level_of, with_parents


@pytest.mark.parametrize(("text", "regions"), [
    ("杭州市西湖区总工会开展活动", ("杭州市", "西湖区")),
    ("广西南宁、恩施州和海淀的职工", ("广西壮族自治区", "南宁市", "恩施土家族苗族自治州", "海淀区")),
    ("内蒙古呼和浩特市新城区", ("内蒙古自治区", "呼和浩特市")),  # 新城区 is a common word first: not read as a name
    ("武汉市东西湖区", ("武汉市", "东西湖区")),  # longest name first: not 西湖区
    ("老城区和郊区的居民", ()),  # everyday words that are also division names
    ("吉林省吉林市", ("吉林省", "吉林市")),
    ("香港、澳门和台湾", ("香港特别行政区", "澳门特别行政区", "台湾省")),
    ("在北京经济技术开发区举办", ("经开区",)),  # a nickname from the data file
    ("荔波县朝阳镇、上海南京路、房山区河北镇", ("荔波县", "上海市", "房山区")),  # short forms starting other names
    ("台湾乡亲、浙江村民、上海路线", ("台湾省", "浙江省", "上海市")),  # ...but not words
    ("宁波镇海、台州路桥区", ("宁波市", "台州市", "路桥区")),  # ...nor a county's name
    ("南新社区居民", ()),  # 新社区 is a district's name, and 'a new community' first
])
def test_find_regions(text: str, regions: tuple[str, ...]) -> None:
    assert find_regions(text) == regions


@pytest.mark.parametrize(("names", "expected"), [
    (("西湖区", "杭州市"), ("浙江省", "杭州市", "西湖区")),  # ambiguous (杭州, 南昌): the city named decides
    (("南昌市", "西湖区"), ("江西省", "南昌市", "西湖区")),
    (("南京市", "鼓楼区"), ("江苏省", "南京市", "鼓楼区")),  # the nearest parent wins over the province (徐州 too)
    (("鼓楼区",), ("鼓楼区",)),  # four cities, nothing says which: no parents rather than a guess
    (("长春市", "朝阳区"), ("吉林省", "长春市", "朝阳区")),
    (("朝阳区",), ("北京市", "朝阳区")),  # no context: the data file's default city
    (("萧山区", "西湖区"), ("浙江省", "杭州市", "萧山区", "西湖区")),  # another district of the city is context
    (("仙桃市",), ("湖北省", "仙桃市")),  # a county-level city under its province directly
])
def test_with_parents(names: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert with_parents(names) == expected


def test_levels_and_counties() -> None:
    assert level_of("浙江省") == PROVINCE and level_of("西湖区") == COUNTY and level_of("八里庄街道") is None
    assert counties(with_parents(find_regions("浙江省杭州市西湖区和义乌市"))) == ("西湖区", "义乌市")


def test_no_city_names_in_code_modules() -> None:
    """Place knowledge is data: the code modules of rag/ name no particular district."""
    root = Path(__file__).resolve().parents[1] / "rag"
    found = subprocess.run(["grep", "-lE", "门头沟|石景山|延庆区|海珠区", *map(str, root.glob("*.py"))],
                           capture_output=True, text=True)
    assert found.stdout == "", found.stdout


def test_fast_on_a_long_article() -> None:
    """The whole table is loaded once; a 1,000-character article takes well under 10 ms."""
    import time

    text = ("杭州市西湖区总工会联合萧山区、滨江区举办职工运动会，来自浙江各地的代表队参加。" * 30)[:1000]
    find_regions(text)
    start = time.perf_counter()
    for _ in range(20):
        with_parents(find_regions(text))
    assert (time.perf_counter() - start) / 20 < 0.01, sys.version


# -- end to end: ingest an export, filter searches by place at every level, by publisher and by date -------------

EXPORT = [
    {"title": "西湖区总工会举办职工技能大赛", "date": "2024-05-20", "source": "浙江日报",
     "content": "5月18日，杭州市西湖区转塘街道总工会举办职工技能大赛，来自全区42家企业的300余名职工参加了比赛。"},
    {"title": "朝阳区总工会为快递小哥送清凉", "date": "2023-07-26", "source": "吉林日报",
     "content": "7月25日，长春市朝阳区总工会走进快递网点，为200余名快递小哥送去防暑降温物资和职工技能大赛报名表。"},
    {"title": "鼓楼区职工技能大赛开幕", "date": "2023-06-01", "source": "示例网",
     "content": "鼓楼区职工技能大赛日前开幕，来自辖区企业的职工同台竞技。"},
]


@pytest.fixture(scope="module")
def export_library(tmp_path_factory: pytest.TempPathFactory, make_hash_library):
    import json

    folder = tmp_path_factory.mktemp("export")
    (folder / "news.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in EXPORT), encoding="utf-8")
    lib = make_hash_library(folder / "index")
    (result,) = lib.ingest_paths([folder / "news.jsonl"])
    assert len(result.added) == 3 and not result.error and result.kept_share == 1.0
    (again,) = lib.ingest_paths([folder / "news.jsonl"])  # the same content again changes nothing
    assert (len(again.added), len(again.duplicates)) == (0, 3)
    return lib


def _titles(lib, **filters) -> set[str]:
    from rag.types import Filters

    hits = lib.search("职工技能大赛", k=10, retriever="bm25", filters=Filters(**filters))
    return {h.chunk.title for h in hits}


HANGZHOU, CHANGCHUN, GULOU = (row["title"] for row in EXPORT)


@pytest.mark.parametrize(("filters", "titles"), [
    ({"places": ("西湖区",)}, {HANGZHOU}),
    ({"places": ("杭州市",)}, {HANGZHOU}),  # the city is filled in above the district
    ({"places": ("浙江省",)}, {HANGZHOU}),
    ({"places": ("转塘街道",)}, {HANGZHOU}),  # street level, by its suffix
    ({"places": ("朝阳区",)}, {CHANGCHUN}),
    ({"places": ("长春市",)}, {CHANGCHUN}),
    ({"places": ("吉林省",)}, {CHANGCHUN}),
    ({"places": ("北京市",)}, set()),  # 朝阳区 here is Changchun's: the city named in the text decides
    ({"places": ("鼓楼区",)}, {GULOU}),  # no city named: found by its own name, under no city
    ({"districts": ("西湖区", "鼓楼区")}, {HANGZHOU, GULOU}),
    ({"sources": ("吉林日报",)}, {CHANGCHUN}),  # a publisher
    ({"sources": ("news.jsonl",)}, {HANGZHOU, CHANGCHUN, GULOU}),  # the file: all its rows
    ({"date_from": "2023-07-01"}, {HANGZHOU, CHANGCHUN}),
    ({"date_from": "2023-07-01", "date_to": "2023-12-31"}, {CHANGCHUN}),
    ({"date_to": "2023-06"}, {GULOU}),
])
def test_filters_end_to_end(export_library, filters: dict, titles: set[str]) -> None:
    assert _titles(export_library, **filters) == titles


def test_articles_carry_regions_and_districts(export_library) -> None:
    by_title = {a.title: a for a in export_library.index.articles.values()}
    assert by_title[HANGZHOU].regions == ("浙江省", "杭州市", "西湖区", "转塘街道")
    assert by_title[HANGZHOU].districts == ("西湖区",)
    assert by_title[CHANGCHUN].regions == ("吉林省", "长春市", "朝阳区")
    assert by_title[GULOU].regions == ("鼓楼区",)
    # export rows were not parsed: towns and organisations are found at ingest too
    assert by_title[HANGZHOU].places == ("转塘街道",)
    assert by_title[HANGZHOU].organisations == ("杭州市西湖区转塘街道总工会",)
    assert by_title[CHANGCHUN].organisations == ("朝阳区总工会", "长春市朝阳区总工会")  # the title, the body


@pytest.mark.parametrize(("filters", "titles"), [
    ({"places": ("杭州市",)}, {HANGZHOU}),
    ({"places": ("吉林省",)}, {CHANGCHUN}),
    ({"places": ("鼓楼区",)}, {GULOU}),
    ({"date_from": "2023-07-01", "date_to": "2023-12-31"}, {CHANGCHUN}),
    ({"date_to": "2023-06"}, {GULOU}),  # a month given short takes in its last day
])
def test_milvus_applies_the_same_filters(export_library, tmp_path: Path, filters: dict, titles: set[str]) -> None:
    pytest.importorskip("milvus_lite")
    from rag.index.dense import QueryCache
    from rag.index.milvus import MilvusCollection, MilvusRetriever
    from rag.types import Filters

    collection = MilvusCollection(str(tmp_path / "m.db"), "chunks", export_library.embedder.dim,
                                  tokenizer=export_library.tokenizer)
    collection.create(drop=True)
    collection.upsert(export_library.index.chunks, export_library.index.vectors)
    retriever = MilvusRetriever(collection, "bm25", QueryCache(export_library.embedder))
    hits = retriever.search("职工技能大赛", 10, Filters(**filters))
    assert {h.chunk.title for h in hits} == titles
    assert all(h.chunk.regions == export_library.index.articles[h.article_id].regions for h in hits)


def test_traditional_text_gets_simplified_region_names() -> None:
    """Places are matched on a Simplified copy; the article keeps its text as written."""
    from rag.ingest.batch import with_places
    from rag.types import Article

    article = with_places(Article("t", "臺北市大安區舉辦職工運動會", "高雄市與新北市板橋區的職工也來參加。", "tw.txt"))
    assert article.regions == ("台湾省", "台北市", "大安区", "高雄市", "新北市", "板桥区")
    assert article.districts == ("大安区", "板桥区") and article.title == "臺北市大安區舉辦職工運動會"


@pytest.mark.parametrize("retriever", ["bm25", "dense", "hybrid"])
@pytest.mark.parametrize(("place", "title"), [("西湖区", HANGZHOU), ("杭州市", HANGZHOU), ("朝阳区", CHANGCHUN),
                                              ("长春市", CHANGCHUN)])
def test_place_filter_with_every_retriever(export_library, retriever: str, place: str, title: str) -> None:
    from rag.types import Filters

    hits = export_library.search("职工技能大赛", k=10, retriever=retriever, filters=Filters(places=(place,)))
    assert {h.chunk.title for h in hits} == {title}
