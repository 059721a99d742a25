"""When to refuse: a named thing in the question that no retrieved article mentions (pure but for tagging)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from rag.ingest.gazetteer import find_districts
from rag.ingest.places import find_regions
from rag.ingest.textnorm import search_form
from rag.ingest.tokenize import Tokenizer
from rag.types import Article

_NAME_TAGS = {"ns", "nt"}
#: words jieba's dictionary tags as places or organisations although they rarely are one (data:
#: rag/answer/data/not_names.json)
_NOT_NAMES = frozenset(json.loads((Path(__file__).parent / "data" / "not_names.json").read_text(encoding="utf-8"))["words"])


# a word the dictionary glues to a name ("青海地区", "韩国公司", "中央政府"): the text may use the name alone
_GENERIC_TAIL = re.compile(r"(?:地区|公司|政府|群岛|方面|一带|境内)$")


def question_entities(question: str, tokenizer: Tokenizer) -> list[str]:
    """Districts the press's short forms name, and place or organisation names jieba's dictionary knows (``京东``,
    ``东南亚``) other than China's administrative divisions (those are checked with their parents on the cited
    articles: ``decide.missing_places``).

    Names the dictionary does not know are left out on purpose: they are mostly typos or paraphrases of names the
    corpus spells differently, and refusing them would refuse answerable questions.
    """
    found = list(find_districts(question))
    found += [w for w, flag in tokenizer.tag(question)
              if flag in _NAME_TAGS and len(w) >= 2 and tokenizer.known(w) and not find_districts(w)
              and not find_regions(w)]
    return [e for e in dict.fromkeys(found) if e not in _NOT_NAMES]


def missing_entities(question: str, articles: Sequence[Article], tokenizer: Tokenizer) -> list[str]:
    """Entities of the question that none of ``articles`` mentions.

    A district counts as mentioned when the article is about it (``article.districts``) or names it.
    """
    texts = {a.id: search_form(f"{a.title}\n{a.subtitle}\n{a.body}") for a in articles}
    districts = {d for a in articles for d in a.districts}
    missing = []
    for entity in question_entities(question, tokenizer):
        if entity in districts:
            continue
        form = search_form(entity)
        forms = {form, _GENERIC_TAIL.sub("", form)} - {""}
        if not any(f in text for text in texts.values() for f in forms if len(f) >= 2):
            missing.append(entity)
    return missing


_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[零一二两三四五六七八九十百千]+")
_UNITS = "周年|等奖|公里|公斤|平方米|小时|分钟|万元|亿元|年|月|日|号|场|届|次|期|轮|名|个|家|支|人|位|项|批|天|岁|盒|份|所|队|度|元|米|座|辆|台|本|件|篇|张|套|吨|亩|斤"
# matches start only where a number starts, so a long digit run is scanned once, not once per digit
_NUMERIC = re.compile(rf"(?<![\d零一二两三四五六七八九十百千万亿])第?(?:\d+|[零一二两三四五六七八九十百千]+)(?:{_UNITS})")
_DETERMINER = re.compile(rf"一(?!等奖)(?:{_UNITS})")
#: numbers that identify what the question is about: ordinals (第九场, 第1名), prize grades (一等奖) and years
#: (2024年). Counts and amounts (55所, 9000人, 两个流域) only describe it, and texts give them in other forms
#: (9,000人, 17.6万人, "一是…二是…"), so they are not facts the articles must hold.
_IDENTIFYING = re.compile(r"第.+|.+等奖|\d{4}年")
_GROUPED = re.compile(r"(?<=\d)[,，](?=\d{3})")
_ASKED_UNIT = re.compile(rf"(?:多少|(?<![\d十百千万])几)({_UNITS}|钱)|(涨幅|增幅|比例|百分比|增长率|占比)")
#: a number of days may be given in weeks, months, years or hours ("培训为期两周")
_UNIT_ALIASES = {"天": ("天", "日", "周", "星期", "个月", "月", "年", "小时"),
                 "人": ("人", "名", "位"), "名": ("名", "人", "位"), "位": ("位", "名", "人"), "家": ("家", "所", "个"),
                 "队": ("队", "支"), "支": ("支", "队"), "钱": ("元", "万元", "亿元"), "元": ("元", "万元", "亿元")}
_RATIO_WORDS = {"涨幅", "增幅", "比例", "百分比", "增长率", "占比"}
_GENERIC_UNITS = {"个", "次", "年", "月", "日", "号"}


def cn_to_digits(text: str) -> str:
    """Small Chinese numerals to digits, so ``八支`` and ``8支`` compare equal.

    >>> cn_to_digits("第九场、十五名、二十三人、一百名")
    '第9场、15名、23人、100名'
    """

    def convert(m: re.Match[str]) -> str:
        s = m.group(0)
        total, current = 0, 0
        for ch in s:
            if ch in _CN_DIGITS:
                current = _CN_DIGITS[ch]
            elif ch == "十":
                total += (current or 1) * 10
                current = 0
            elif ch == "百":
                total += (current or 1) * 100
                current = 0
            elif ch == "千":
                total += (current or 1) * 1000
                current = 0
        return str(total + current)

    return _CN_NUMBER.sub(convert, text)


def missing_numbers(question: str, articles: Sequence[Article]) -> list[str]:
    """Identifying numbers of the question (``第九场``, ``二等奖``, ``2024年``) that none of the articles contains.

    A bare 一 before a measure word is a determiner, not a number to find (``这一篇论文``, ``一支什么样的部队``,
    ``下一次``), and counts (``两个流域``, ``15名``) describe rather than identify; ``第一名`` and ``一等奖`` are
    facts.

    >>> a = Article("a", "t", "第1舰队为旧大日本帝国海军之一部队。", "s")
    >>> missing_numbers("第1舰队是一支什么样的部队？", [a]), missing_numbers("第2舰队获得过一等奖吗？", [a])
    ([], ['一等奖'])

    An article's own year counts: news writes ``今年上半年`` where the question says ``2023年上半年``.

    >>> b = Article("b", "t", "今年上半年，贷款新增5.5万亿元。", "s", date="2023-07-28")
    >>> missing_numbers("2023年上半年贷款新增了多少？", [b]), missing_numbers("2022年上半年贷款新增了多少？", [b])
    ([], ['2022年'])
    """
    texts = [cn_to_digits(_GROUPED.sub("", search_form(f"{a.title}\n{a.body}"))) + _year_of(a) for a in articles]
    missing = []
    for m in _NUMERIC.finditer(_GROUPED.sub("", search_form(question))):
        if _DETERMINER.fullmatch(m.group(0)) or not _IDENTIFYING.fullmatch(m.group(0)):
            continue
        if not any(_holds(cn_to_digits(m.group(0)), text) for text in texts):
            missing.append(m.group(0))
    return missing


_FIRST = re.compile(r"首[个家次届场位批座部项名所任]")


def _holds(form: str, text: str) -> bool:
    """Does ``text`` give the identifying number ``form`` (digits): as written, a year as its number
    (``1848的选举``), an ordinal with any measure word (``第8名`` as ``第8位``; ``第1场`` as ``首个``)?

    >>> _holds("2024年", "2024年7月"), _holds("1848年", "在1848的选举中"), _holds("1848年", "共18480人")
    (True, True, False)
    >>> _holds("第8名", "居第8位"), _holds("第1场", "建立了首个巡回赛"), _holds("第9场", "第10场大集")
    (True, True, False)
    """
    if form in text:
        return True
    if year := re.fullmatch(r"(\d{4})年", form):
        return re.search(rf"(?<!\d){year.group(1)}(?!\d)", text) is not None
    if ordinal := re.match(r"第(\d+)", form):
        n = ordinal.group(1)
        return re.search(rf"第{n}(?!\d)", text) is not None or (n == "1" and _FIRST.search(text) is not None)
    return False


def _year_of(article: Article) -> str:
    """``\n2023年`` for an article published in 2023, else ""."""
    return f"\n{article.date[:4]}年" if re.fullmatch(r"\d{4}", article.date[:4]) else ""


def asked_unit_absent(question: str, sentences: Sequence[str]) -> str:
    """For "多少公里"-style questions: the asked-for unit when no sentence has a number with that unit, else ""."""
    m = _ASKED_UNIT.search(search_form(question))
    unit = (m.group(1) or m.group(2)) if m else ""
    if not unit or unit in _GENERIC_UNITS:
        return ""
    if unit in _RATIO_WORDS:
        pattern = re.compile(r"\d+(?:\.\d+)?\s*%|百分之|[一二三四五六七八九]成|[\d一二三四五六七八九十百千]+分之[\d一二三四五六七八九十]")
    else:
        units = "|".join(_UNIT_ALIASES.get(unit, (unit,)))
        pattern = re.compile(rf"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)\s*(?:余|多)?\s*(?:万|千|百|亿)*(?:{units})")
    return "" if any(pattern.search(search_form(s)) for s in sentences) else unit


_ROLE_QUESTION = re.compile(r"([\u4e00-\u9fff]{2,12}?)(?:的)?((?:常务)?副)?(主席|书记|主任|院长|校长|局长|经理|队长|社长|会长)"
                            r"(?:是谁|叫什么|是哪位|姓什么|叫啥)")


def role_holder_absent(question: str, sentences: Sequence[tuple[str, str]]) -> str:
    """For "<organisation>的<role>是谁": the role when no sentence names that role of that organisation (a deputy,
    副…, is not it unless asked for), else "". ``sentences`` are (sentence, its article's text) pairs.

    >>> role_holder_absent("北京市总工会主席是谁？", [("北京市总工会党组书记、副主席王红兵出席。", "")])
    '北京市总工会主席'
    >>> role_holder_absent("中铁六局的工会主席是谁？", [("中铁六局党委副书记、工会主席韩凤凯表示", "")])
    ''
    >>> role_holder_absent("出席开幕式并讲话的昌平区委书记是谁？", [("昌平区委书记甘靖中出席大会开幕式并讲话。", "")])
    ''
    >>> s = "西湖区人大常委会党组书记、副主任，区总工会主席李伟在讲话中指出"
    >>> role_holder_absent("西湖区总工会主席是谁？", [(s, "西湖区总工会举办专题讲座" + s)])
    ''
    >>> role_holder_absent("滨江区总工会主席是谁？", [(s, "西湖区总工会举办专题讲座" + s)])
    '滨江区总工会主席'
    """
    m = _ROLE_QUESTION.search(search_form(question))
    if not m:
        return ""
    # the organisation is the phrase right before the role: "…讲话的昌平区委书记" → 昌平区委, "中铁六局的工会主席" → 工会
    org, deputy, role = m.group(1).split("的")[-1], m.group(2) or "", m.group(3)
    if len(org) < 2:
        return ""
    title = rf"{deputy}{role}" if deputy else rf"(?<!副){role}"
    full = re.compile(rf"{re.escape(org)}[^。；]{{0,16}}?{title}")
    # news refers back to an organisation without its district ("西湖区总工会" → "区总工会") in its own article
    short = re.match(r"^([\u4e00-\u9fff]{1,3}?)([区市县].+)$", org)
    back = re.compile(rf"{re.escape(short.group(2))}[^。；]{{0,16}}?{title}") if short else None
    for sentence, article in sentences:
        text = search_form(sentence)
        if full.search(text):
            return ""
        if back and short and short.group(1) in search_form(article) and back.search(text):
            return ""
    return f"{org}{deputy}{role}"
