"""What kind of answer a question wants, pure.

>>> classify("哪些区举办了集体协商比赛？")
'list'
>>> classify("永顺镇总工会代表队获得了几等奖"), classify("谁出席了开幕式"), classify("活动在哪里举行")
('number', 'person', 'place')
"""

from __future__ import annotations

import re

from rag.ingest.textnorm import search_form, to_simplified

QuestionType = str  # "list" | "number" | "person" | "place" | "time" | "event_name" | "how" | "lookup"

_LIST_WORDS = re.compile(r"哪些|哪几|有哪|都有谁|分别是|分别有|列举")
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("list", re.compile(rf"{_LIST_WORDS.pattern}|\bwhich\b.*(s|ies)\b|\blist\b|\bwhat are the\b", re.I)),
    ("number", re.compile(r"多少|几[个家名期支人场份天年月次位所项队等批组条类届轮]|几等奖|多大|多长|百分之|比例|\bhow (many|much)\b", re.I)),
    ("person", re.compile(r"谁|哪位|什么人|姓名|叫什么名字|\bwho\b|\bwhom\b", re.I)),
    ("place", re.compile(r"在哪|哪里|哪儿|什么地方|何处|地点|去了哪|走进了哪|\bwhere\b", re.I)),
    ("time", re.compile(r"什么时候|何时|哪年|哪一年|哪天|\bwhen\b", re.I)),
    ("event_name", re.compile(r"叫什么|什么名|名称|主题是|主题为|什么主题|什么活动|哪个活动|什么比赛|叫啥|\bwhat is the name\b|\bcalled\b", re.I)),
    ("how", re.compile(r"怎么|怎样|如何|为什么|为何|什么作用|什么意义|有何|哪些方面|\bhow\b|\bwhy\b", re.I)),
)


def classify(question: str) -> QuestionType:
    text = to_simplified(question)
    for name, pattern in _RULES:
        if pattern.search(text):
            return name
    return "lookup"


_QUALIFIER = re.compile(r"\s*[（(][^）)]*[）)]\s*$")


def about_one(question: str, titles: list[str] | tuple[str, ...]) -> bool:
    """Is a list question about one thing that has its own article: does one of ``titles`` (a qualifier in
    brackets left out) stand whole before the list words? Then the items are in that article ("锦地罗分布在哪些
    地区", article 锦地罗), not one per article.

    >>> about_one("锦地罗分布在哪些地区？", ["锦地罗", "五月艾"]), about_one("哪些区举办了比赛？", ["朝阳区"])
    (True, False)
    >>> about_one("谭望嵩效力过哪些球队？", ["谭望嵩 (足球运动员)"]), about_one("通州区的工会有哪些动态？", ["通州区总工会开展活动"])
    (True, False)
    """
    text = search_form(question)
    m = _LIST_WORDS.search(text)
    if m is None:
        return False
    before = text[: m.start()]
    for title in titles:
        name = search_form(_QUALIFIER.sub("", title)).strip()
        if len(name) >= 2 and name in before:
            return True
    return False


def list_target(question: str) -> str:
    """The kind of item a list question asks for: ``district``, ``place``, ``person`` or ``organisation``.

    >>> list_target("哪些区举办了集体协商比赛"), list_target("有哪些单位参加"), list_target("哪些街道总工会开展了活动")
    ('district', 'organisation', 'place')
    """
    text = to_simplified(question)
    if re.search(r"\bdistricts?\b", text, re.I):
        return "district"
    m = re.search(r"(?:哪些|哪几个|哪几家|哪几支|哪几位|哪几)(\S{0,3})", text)
    head = m.group(1) if m else ""
    if head.startswith(("区", "城区")):
        return "district"
    if head.startswith(("街道", "镇", "乡")):
        return "place"
    if head.startswith(("人", "位", "劳模", "领导", "嘉宾", "代表")) or "谁" in text:
        return "person"
    return "organisation"
