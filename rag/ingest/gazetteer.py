"""Places and organisations named in a text, pure.

Districts come from :mod:`rag.ingest.places` (every county-level division in China by its full name, plus the short forms
and nicknames the press uses, kept as data in ``rag/ingest/data/gazetteer.json``); street/town/township names are found
by their suffix (``…街道``, ``…镇``, ``…乡``), organisation names by theirs (``…总工会``, ``…公司``, ``…集团`` ...).
"""

from __future__ import annotations

import json
import re
from importlib import resources

from .places import counties, find_regions, is_division

_LOCAL = json.loads(resources.files("rag.ingest").joinpath("data", "gazetteer.json").read_text(encoding="utf-8"))

#: canonical name -> other ways the local press writes it (data: rag/ingest/data/gazetteer.json)
DISTRICTS: dict[str, tuple[str, ...]] = {name: tuple(entry["aliases"]) for name, entry in _LOCAL["districts"].items()}

_ALIAS_TO_DISTRICT = {alias: name for name, aliases in DISTRICTS.items() for alias in (name, *aliases)}
_DISTRICT_RE = re.compile("|".join(sorted(map(re.escape, _ALIAS_TO_DISTRICT), key=len, reverse=True)))

_CJK = "\u4e00-\u9fff"
_PLACE_RE = re.compile(rf"(?:(?<=[区市县])|(?<=^)|(?<=[、，。；：“（\s和与及]))([{_CJK}]{{2,4}}?)(街道|地区|镇|乡)(?![{_CJK}]?[镇乡])")
_PLACE_STOP = {"城乡", "家乡", "故乡", "老乡", "下乡", "城镇", "乡镇", "村镇", "各镇", "全镇", "该镇", "小镇", "各街道", "该街道", "本街道", "所在地区", "京津冀地区", "重点地区", "各地区", "该地区", "全地区"}

# words that lead into a place name without being part of it ("到陶然亭街道", "由朝外街道", "邀请镇…")
_PLACE_LEAD = re.compile(r"^(?:邀请|来自|推进|走进|前往|位于|到|据|由|在|从|向|对|为|经|于|赴)")
_ORG_SUFFIX = "总工会|工会联合会|联合工会|工会|有限责任公司|有限公司|集团|学院|大学|协会|服务中心|幼儿园|项目部|分校|学校"
_ANCHOR = "|".join(sorted(map(re.escape, [*_ALIAS_TO_DISTRICT, *_LOCAL["org_anchors"]]), key=len, reverse=True)) + "|市"
_ORG_ANCHORED = re.compile(rf"(?:{_ANCHOR})[{_CJK}]{{0,18}}?(?:{_ORG_SUFFIX})(?:工会|总工会)?")
_ORG_WHOLE = re.compile(rf"^[{_CJK}]{{2,12}}(?:{_ORG_SUFFIX})(?:代表队)?$")
_ORG_BAD_CHARS = set("的了在将为把被对向从和与及是要等包括")
# verbs and clause words: an "organisation" containing them is a clause the pattern ran across
_ORG_BAD_WORDS = ("贡献", "走进", "困难", "发展", "助力", "推动", "开展", "举办", "组织", "找", "参观", "联合")
_ORG_GENERIC = set(_LOCAL["generic_orgs"])
_ENTITY_WORDS = tuple(_LOCAL["entity_words"])


def find_districts(text: str) -> tuple[str, ...]:
    """Canonical county-level names (districts, counties, county-level cities) in order of first mention.

    >>> find_districts("杭州市西湖区和萧山区的职工，朝外街道")
    ('西湖区', '萧山区')
    """
    return counties(find_regions(text))


def find_places(text: str) -> tuple[str, ...]:
    """Streets, towns and townships (``…街道``/``…镇``/``…乡``/``…地区``).

    >>> find_places("朝阳区八里庄街道总工会、永顺镇总工会、各镇总工会")
    ('八里庄街道', '永顺镇')
    """
    seen: dict[str, None] = {}
    for match in _PLACE_RE.finditer(text):
        stem = _PLACE_LEAD.sub("", match.group(1))
        name = stem + match.group(2)
        if len(stem) < 2 or name in _PLACE_STOP or stem in _PLACE_STOP or stem[0] in "各该本全":
            continue
        seen.setdefault(name, None)
    return tuple(seen)


def _with_city(segment: str, start: int) -> int:
    """A name anchored on 市 starts with the city's name before it: 杭州市西湖区总工会, not 市西湖区总工会."""
    if segment[start : start + 1] != "市":
        return start
    for k in range(6, 1, -1):
        if start >= k and is_division(segment[start - k : start + 1]):
            return start - k
    return start


def find_organisations(text: str) -> tuple[str, ...]:
    """Specific organisation names: anchored on a place (district, 北京, 首都...) or standing alone in a list.

    >>> find_organisations("北京首华置业有限公司工会组织全体职工，该公司工会相关负责人表示")
    ('北京首华置业有限公司工会',)
    >>> find_organisations("队伍包括昌平区教育工会、福田康明斯工会、科技园区工会代表队。")
    ('昌平区教育工会', '福田康明斯工会', '科技园区工会')
    >>> find_organisations("杭州市西湖区转塘街道总工会举办职工技能大赛")
    ('杭州市西湖区转塘街道总工会',)
    """
    seen: dict[str, None] = {}
    for segment in re.split(r"[，。；：！？、“”《》（）\s]", text):
        candidates = [segment[_with_city(segment, m.start()) : m.end()] for m in _ORG_ANCHORED.finditer(segment)]
        if not candidates and _ORG_WHOLE.match(segment):
            candidates.append(segment.removesuffix("代表队"))
        for name in candidates:
            stem = re.sub(rf"(?:{_ORG_SUFFIX})+$", "", name)
            if (name in _ORG_GENERIC or len(name) < 4 or _ORG_BAD_CHARS & set(stem)
                    or any(word in stem for word in _ORG_BAD_WORDS)):
                continue
            seen.setdefault(name, None)
    return tuple(seen)


def mentions_entity(line: str) -> bool:
    """Does a heading line name an actor (district, place or organisation)? Used to tell titles from kickers."""
    return bool(
        _DISTRICT_RE.search(line)
        or any(word in line for word in _ENTITY_WORDS)
        or find_regions(line)
        or "市" in line
        or re.search(r"(工会|公司|集团|学院|大学|协会|街道|镇)", line)
    )
