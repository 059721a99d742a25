"""Dates, numbers with their unit, money and shares in a sentence, pure: the spans a date, number, money or percent
question can be answered with, held to the unit the question asks for.

>>> from rag.answer.analysis import analyse
>>> form = "培训班为期两周，首期百名职工参加，经费12.5万元，占比30%。"
>>> [form[s:e] for s, e in quantity_spans(analyse("培训一共多少天？"), form)]
['两周']
>>> [form[s:e] for s, e in quantity_spans(analyse("经费是多少钱？"), form)], [form[s:e] for s, e in quantity_spans(analyse("占比多少？"), form)]
(['12.5万元'], ['30%'])
"""

from __future__ import annotations

import re

from .analysis import MEASURES, Analysis

QUANTITY_KINDS = frozenset({"date", "number", "money", "percent"})

_DIGIT = r"(?:\d+(?:[.,]\d+)*|[零〇一二两三四五六七八九十百千万亿]+)"
_DATE = re.compile(rf"(?:公元前?)?{_DIGIT}年(?:代)?(?:{_DIGIT}月)?(?:{_DIGIT}[日号])?(?:[上下]午)?(?:{_DIGIT}[时点](?:{_DIGIT}分)?)?"
                   rf"|{_DIGIT}月(?:{_DIGIT}[日号])?(?:{_DIGIT}[时点](?:{_DIGIT}分)?)?|{_DIGIT}[日号]|{_DIGIT}[时点](?:{_DIGIT}分)?"
                   rf"|{_DIGIT}世纪(?:{_DIGIT}年代)?|第[一二三四1-4]季度|[春夏秋冬]季|今年|去年|明年|上半年|下半年")
_PERCENT = re.compile(rf"{_DIGIT}\s*[%％]|百分之{_DIGIT}|{_DIGIT}个百分点|{_DIGIT}成")
_MONEY = re.compile(rf"{_DIGIT}\s*(?:多|余)?\s*(?:万|亿|千|百)*\s*(?:多|余)?\s*(?:元|美元|美金|欧元|英镑|日元|港元|港币|韩元|卢布|人民币|块)")
# a number runs on with its measure word ("57名", "9800辆次"), not with whatever follows it ("57名阿根廷…")
_ANY_NUMBER = re.compile(rf"(?:约|近|超过|逾)?第?{_DIGIT}\s*(?:多|余)?\s*(?:万|亿|千|百)*\s*(?:多|余)?\s*(?:[%％]|{MEASURES})?")
_ASKS_DURATION = re.compile(r"多久|多长时间|多少时间|多长的时间|几天|多少天")
_DURATION = re.compile(rf"(?:约|近|超过|逾)?{_DIGIT}\s*(?:多|余)?\s*(?:个)?(?:小时|分钟|秒钟?|天|日|周|星期|个月|月|年)(?:内|左右|多)?")


_ASKS_YEAR = re.compile(r"哪一?年|何年|几几年|什么年份|年份")
_ASKS_DAY = re.compile(r"哪一?天|哪一?日|几号|几日|什么日子|日期")
_CLOCK = re.compile(rf"(?:[上下]午)?{_DIGIT}[时点](?:{_DIGIT}分)?")


def _as_asked(question: str, date: str) -> bool:
    """Is ``date`` of the unit asked for: a year for 哪一年, a day (not a clock time) for 哪一天?

    >>> _as_asked("溺水是哪一天的事", "17时14分"), _as_asked("溺水是哪一天的事", "6月22日"), _as_asked("哪一年成立", "8月")
    (False, True, False)
    """
    if _ASKS_YEAR.search(question):
        return "年" in date or "世纪" in date
    if _ASKS_DAY.search(question):
        return not _CLOCK.fullmatch(date)
    return True


def quantity_spans(a: Analysis, form: str) -> list[tuple[int, int]]:
    """Spans of ``form`` (a sentence in search form) of the kind ``a`` asks for, in text order."""
    if a.kind == "date":
        return [m.span() for m in _DATE.finditer(form) if m.group(0).strip() and _as_asked(a.question, m.group(0))]
    if a.kind == "percent":
        return [m.span() for m in _PERCENT.finditer(form)]
    if a.kind == "money":
        return [m.span() for m in _MONEY.finditer(form)]
    found = _numbers(a, form)
    # "第几场" asks for an ordinal: "第八场", not "8场" (a count of the same unit)
    ordinal = [s for s in found if form[s[0]] == "第"] if "第几" in a.question else []
    return ordinal or found


_TIME_UNITS = frozenset({"天", "小时", "分钟", "秒", "周", "个月"})


# a lone Chinese numeral with no unit and no 第 ("一" of 之一, "十" of 十大): no quantity
_BARE_NUMERAL = re.compile(r"(?:约|近|超过|逾)?[零〇一二两三四五六七八九十百千万亿]")


def _numbers(a: Analysis, form: str) -> list[tuple[int, int]]:
    """Numbers of the asked-for unit, else of the counted thing, else any number."""
    if a.unit:
        unit = re.escape(a.unit)
        pattern = re.compile(rf"(?:约|近|超过|逾)?第?{_DIGIT}\s*(?:多|余)?\s*(?:万|亿|千|百)*\s*(?:多|余)?\s*(?:个)?{unit}")
        found = [m.span() for m in pattern.finditer(form)]
        if found:
            return found
    # a duration: "48小时内", "三个月", "15天"
    if _ASKS_DURATION.search(a.question) and (found := [m.span() for m in _DURATION.finditer(form)]):
        return found
    if a.unit in _TIME_UNITS:
        return [m.span() for m in _DURATION.finditer(form)]  # "多少天" is not answered by "百名"
    if (counted := re.match(r"[\u4e00-\u9fff]{1,2}", a.right)) is not None:
        # "惠及多少职工": a number of 职工, or of people when people are counted
        people = "|人|名|位" if re.match(r"职工|员工|人|会员|学生|代表|选手|志愿者|群众|居民|游客|患者", a.right) else ""
        pattern = re.compile(rf"{_DIGIT}\s*(?:万|千|百)?(?:余|多)?(?:名|位|个|家)?(?:{re.escape(counted.group(0))}{people})")
        if found := [m.span() for m in pattern.finditer(form)]:
            return found
    numbers = [m.span() for m in _ANY_NUMBER.finditer(form) if re.search(r"\d|[一二两三四五六七八九十百千万]", m.group(0))
               and not _BARE_NUMERAL.fullmatch(m.group(0).strip())]
    # "增长了多少" is not answered by the "1日" of "8月1日": parts of a date are not quantities
    dates = [m.span() for m in _DATE.finditer(form)]
    return [s for s in numbers if not any(d[0] <= s[0] < d[1] for d in dates)]
