"""Where a news item starts: the leads Chinese papers print at the head of an item, pure.

A lead is matched at the start of a line (on its Simplified form). Kinds:

* ``byline`` — ``本报讯（记者 …）``, ``晨报讯（记者 …）``, ``荆楚网（湖北日报网）讯（…）``;
* ``dateline`` — ``新华社北京7月27日电（记者 …）``, ``人民网柏林7月28日电``, ``本报北京7月3日电``;
* ``credit`` — ``（记者 …）`` or ``记者 … 报道`` at a line start, or ``本报记者 张三`` alone on its line;
* ``photo`` — a picture credit closing photo news, ``本报记者 … 摄影报道`` (or ``… 摄``) on its own line;
* ``picture`` — ``（新华社记者 … 摄）``: credits a picture of the item it is in, starts nothing;
* ``qa`` — the first turn of a question-and-answer interview, ``记者：…`` (weak: it starts an item only under headings).

Bylines and credits stay in the article body: they are what the paper printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .textnorm import has_traditional, to_simplified

_CJK = "\u4e00-\u9fff"
_ROLES = ("特约记者", "实习记者", "见习记者", "记者", "通讯员")
_CREDIT = r"[（(]([^）)]{0,60})[）)]"
# a paper or site: a short name ending the way such names end (新华社, 光明日报, 中新网, 央视新闻, 极目新闻)
_PUBLISHER = rf"[{_CJK}A-Za-z]{{1,10}}?(?:通讯社|日报|晚报|晨报|报|网|社|台|新闻|客户端)"
_DATE_MD = r"\d{1,2}\s?月\s?\d{1,2}\s?日"  # some sites space out digits: 7 月 27 日

BYLINE_SELF = re.compile(rf"^本报讯\s*(?:{_CREDIT})?\s*")
# 本报讯 记者 张三 通讯员 李四 近日… — a credit without brackets, read only when spaces set the names apart
_ROLE = r"(?:(?:特约|实习|见习)?记者|通讯员)"
_OPEN_CREDIT = re.compile(rf"^本报讯\s+({_ROLE}\s*[{_CJK}·]{{2,4}}(?:\s+(?:{_ROLE}\s*)?[{_CJK}·]{{2,4}})*)\s+")
# … or a channel of the paper (新京报贝壳财经讯, 齐鲁晚报·齐鲁壹点讯, 新京报快讯) when a bracketed credit follows
_BYLINE_OTHER = re.compile(rf"^(?P<pub>{_PUBLISHER})(?:[（(][^）)]{{1,20}}[）)])?"
                           rf"(?:[{_CJK}]{{0,8}}?{_DATE_MD}|[·•]?[{_CJK}]{{1,6}}?(?=讯\s*[（(]))?讯\s*(?:{_CREDIT})?\s*")
# with no agency named, only a place, the 电 must stand apart (北京7月3日电 …), not begin a word (7月3日电网)
_DATELINE = re.compile(
    rf"^(?:(?P<pub>{_PUBLISHER}|本报)(?:[（(][^）)]{{1,20}}[）)])?[{_CJK}]{{0,10}}?(?P<md>{_DATE_MD})电"
    rf"|[{_CJK}]{{2,10}}?(?P<md2>{_DATE_MD})电(?=[\s（(]))\s*(?:{_CREDIT})?\s*"
)
# wire style with the lead in brackets: （中央社记者王小明台北5日电）, 【本报讯】, 【明报专讯】
_BRACKETED = re.compile(
    rf"^(?:[（(](?P<pub>{_PUBLISHER})(?P<who>(?:特约|实习|见习)?记者\s*[{_CJK}·]{{2,3}})?[{_CJK}]{{0,8}}?"
    rf"(?P<md>(?:\d{{1,2}}月)?\d{{1,2}}日)电[）)]|【(?P<pub2>{_PUBLISHER}|本报)(?:专讯|讯|电)】)\s*"
)
# a credit with the reporting place, often bracketed: 〔记者林志豪／高雄报导〕, 记者 张三/北京报道
_PLACED_CREDIT = re.compile(
    rf"^[〔［\[（(]?((?:特约|实习|见习)?记者\s*[{_CJK}·]{{2,4}}(?:[、\s]+[{_CJK}·]{{2,4}}){{0,3}})\s*[／/]\s*[{_CJK}]{{2,8}}报[道导][〕］\]）)]?\s*"
)
_PAREN_CREDIT = re.compile(r"^[（(]((?:特约|实习|见习)?记者[^）)]{1,50})[）)]\s*")
_REPORTED = re.compile(rf"^((?:本报)?(?:特约|实习|见习)?记者\s*[{_CJK}·]{{2,5}}(?:\s+[{_CJK}·]{{2,5}}){{0,3}})\s*报道\s*")
_NAMES = rf"[{_CJK}·]{{2,5}}(?:[\s、]+(?:通讯员\s*)?[{_CJK}·]{{2,5}}){{0,5}}"
_REPORTER_LINE = re.compile(
    rf"^(?:(?:文|图|文图|文·图|文/图|文／图)\s*[/／｜|]\s*)?((?:(?:本报|本刊)?(?:特约|实习|见习)?(?:记者|通讯员)\s*)?{_NAMES})\s*$"
)
# a credit line, not a column label such as 记者手记: 文/…, 本报记者…, or 记者 followed by a space
_AUTHOR_MARK = re.compile(r"^(?:(?:文|图|文图|文·图|文/图|文／图)\s*[/／｜|]|(?:本报|本刊)(?:特约|实习|见习)?(?:记者|通讯员)|(?:特约|实习|见习)?(?:记者|通讯员)\s)")
PHOTO_LINE = re.compile(rf"^[*（(]*\s*(?:本报|{_PUBLISHER})?(?:特约|实习|见习)?记者\s*({_NAMES})\s*摄(影报道)?\s*[*）)]*$")
# a site's own lead: 央视网消息（新闻联播）：, IT之家7月20日消息，
_MESSAGE = re.compile(
    rf"^(?:(?P<pub>{_PUBLISHER})消息\s*(?:[（(][^）)]{{1,20}}[）)])?\s*[：:，,]|(?P<pub2>[{_CJK}A-Za-z]{{2,10}}?)\s?(?P<md>{_DATE_MD})\s?消息[：:，,])\s*"
)
_BULLETS = "■●◆▲★□◇○*"  # and markdown bold: **问：…**
INLINE_PHOTO = re.compile(r"\s*\*\*\s*本报记者\s*(.+?)\s*摄(?:影报道)?\s*\*\*\s*$")
# a picture credit closing a caption or paragraph: …抢收水稻。本报记者 周航 摄
TAIL_PHOTO = re.compile(rf"(?<=[。！？”）)])\s*[（(]?(?:本报|新华社)?(?:特约|实习|见习)?记者\s*({_NAMES})\s*摄[）)]?$")
# a photo caption: 图：…, ▲…, …。 图/新华社, …供图, …摄 (it closes its paragraph though no full stop ends it)
CAPTION = re.compile(r"^(?:图\s*[：:]|[▲△])|(?:[。.]|\s)\s*(?:图\s*[/／]\s*\S{1,10}|\S{0,12}供图|[^。]{0,16}摄)\s*[）)]?$")
_QA = re.compile(r"^(?:本报)?(?:记者|问)\s*[：:]")
_ROLE_ONLY = re.compile(_ROLE)
_QUOTED_SOURCE = re.compile(rf"^据\s*《?(?P<pub>{_PUBLISHER})》?(?:[{_CJK}]{{0,6}}?)(?:报道|消息|电)")


@dataclass(frozen=True)
class Lead:
    """A lead found at the start of a line: its kind, the credit text, the publisher named, and where it ends."""

    kind: str  # byline | dateline | credit | photo | picture | qa
    credit: str = ""
    publisher: str = ""
    month_day: str = ""  # "7月27日" from a dateline
    end: int = 0  # characters of the line the lead takes (the text after it is the lead paragraph)


def match_lead(text: str) -> Lead | None:
    """The lead a line starts with, if any.

    >>> match_lead("新华社北京7月27日电（记者 张三）今天").publisher
    '新华社'
    >>> match_lead("本报记者 张三").kind, match_lead("本报记者 马超 摄影报道").kind, match_lead("记者手记")
    ('credit', 'photo', None)
    >>> match_lead("文/本报记者 张三 李四").credit, match_lead("■本报记者 张三").end, match_lead("央视网消息：今天").publisher
    ('本报记者 张三 李四', 8, '央视网')
    >>> match_lead("IT之家 7 月 27 日消息，").publisher, match_lead("IT之家 7 月 27 日消息，").month_day
    ('IT之家', '7 月 27 日')
    >>> match_lead("新京报贝壳财经讯（记者阎侠）8月14日，").publisher, match_lead("新闻通讯员培训班开班")
    ('新京报', None)
    >>> match_lead("本报讯 记者 张三 通讯员 李四 近日，").credit, match_lead("问：新规何时施行？").kind
    ('记者 张三 通讯员 李四', 'qa')
    >>> match_lead("今年7月3日电网公司"), match_lead("她告诉记者这些都是自己拍摄"), match_lead("北京7月3日电 今天").kind
    (None, None, 'dateline')
    >>> lead = match_lead("（中央社记者王小明台北5日电）台北市")
    >>> lead.publisher, lead.credit, lead.month_day
    ('中央社', '记者王小明', '5日')
    """
    lead = _match(text)
    if lead is not None and lead.publisher.startswith("本报"):  # the paper itself: not a name
        lead = replace(lead, publisher="")
    elif lead is not None and lead.publisher.startswith("据"):  # 据叙利亚通讯社…电: the agency quoted
        lead = replace(lead, publisher=lead.publisher[1:])
    return lead


def _match(text: str) -> Lead | None:
    """:func:`match_lead` before the publisher is checked."""
    bullet = len(text) - len(text.lstrip(_BULLETS + " "))
    if bullet:  # ■本报记者 张三: a bullet before the lead
        lead = _match(text[bullet:])
        return replace(lead, end=lead.end + bullet) if lead else None
    if (m := _OPEN_CREDIT.match(text)) and not _ROLE_ONLY.fullmatch(m.group(1).split()[-1]):
        return Lead("byline", m.group(1), "", "", m.end())
    if m := BYLINE_SELF.match(text):
        return Lead("byline", m.group(1) or "", "", "", m.end())
    if m := PHOTO_LINE.match(text):
        # "… 摄影报道" or "… 摄" on its own line closes photo news; "（… 摄）" in brackets credits a picture
        bracketed = text.lstrip("*").startswith(("（", "("))
        return Lead("photo" if m.group(2) or not bracketed else "picture", m.group(1), "", "", m.end())
    if (m := _DATELINE.match(text)) and len(m.group(0)) <= 60:
        pub = m.group("pub") or ""
        return Lead("dateline", m.group(4) or "", pub, m.group("md") or m.group("md2"), m.end())
    if m := _BRACKETED.match(text):
        pub = m.group("pub") or m.group("pub2") or ""
        return Lead("dateline", (m.group("who") or "").strip(), "" if pub == "本报" else pub, m.group("md") or "", m.end())
    if m := _BYLINE_OTHER.match(text):
        return Lead("byline", m.group(2) or "", m.group("pub"), "", m.end())
    if m := _PLACED_CREDIT.match(text):
        return Lead("credit", m.group(1), "", "", m.end())
    if m := _PAREN_CREDIT.match(text):
        return Lead("credit", m.group(1), "", "", m.end())
    if m := _REPORTED.match(text):
        return Lead("credit", m.group(1), "", "", m.end())
    if (m := _REPORTER_LINE.match(text)) and _AUTHOR_MARK.match(text):
        return Lead("credit", m.group(1), "", "", m.end())
    if m := _MESSAGE.match(text):
        return Lead("dateline", "", m.group("pub") or m.group("pub2"), m.group("md") or "", m.end())
    if _QA.match(text):
        return Lead("qa")
    return None


def quoted_publisher(text: str) -> str:
    """The outlet a lead paragraph cites, ``据新华社报道`` → ``新华社``; "" when it cites none.

    >>> quoted_publisher("据中新网报道，近日"), quoted_publisher("近日，")
    ('中新网', '')
    """
    m = _QUOTED_SOURCE.match(text)
    return m.group("pub") if m and not m.group("pub").startswith("本报") else ""


def parse_credits(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Reporters and correspondents from a byline credit.

    >>> parse_credits("记者 任洁 通讯员 高若晨 刘玉娟")
    (('任洁',), ('高若晨', '刘玉娟'))
    >>> parse_credits("記者 陳文明 通訊員 林志豪")
    (('陳文明',), ('林志豪',))
    """
    reporters: list[str] = []
    correspondents: list[str] = []
    role = "记者"
    key = to_simplified(text) if has_traditional(text) else text
    key = key if len(key) == len(text) else text  # roles are read on the Simplified form, names kept as written
    for m in re.finditer(r"[^\s、，,]+", key):
        token, start = m.group(0), m.start()
        for prefix in ("本报", "本刊"):
            if token.startswith(prefix):
                token, start = token[len(prefix) :], start + len(prefix)
        for name in _ROLES:
            if token.startswith(name):
                role, token, start = name, token[len(name) :], start + len(name)
                break
        if token:
            (correspondents if role == "通讯员" else reporters).append(text[start : m.end()])
    return tuple(reporters), tuple(correspondents)
