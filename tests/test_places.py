"""Divisions of China at every level, from the packaged admin-division table; hand-written sentences."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rag.places import COUNTY, PROVINCE, counties, find_regions, level_of, with_parents


@pytest.mark.parametrize(("text", "regions"), [
    ("杭州市西湖区总工会开展活动", ("杭州市", "西湖区")),
    ("广西南宁、恩施州和海淀的职工", ("广西壮族自治区", "南宁市", "恩施土家族苗族自治州", "海淀区")),
    ("内蒙古呼和浩特市新城区", ("内蒙古自治区", "呼和浩特市")),  # 新城区 is a common word first: not read as a name
    ("武汉市东西湖区", ("武汉市", "东西湖区")),  # longest name first: not 西湖区
    ("老城区和郊区的居民", ()),  # everyday words that are also division names
    ("吉林省吉林市", ("吉林省", "吉林市")),
    ("香港、澳门和台湾", ("香港特别行政区", "澳门特别行政区", "台湾省")),
    ("在北京经济技术开发区举办", ("经开区",)),  # a nickname from the data file
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
