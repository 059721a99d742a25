"""Question analysis, pure: the interrogative phrase, the kind of answer wanted, and the content left to find.

Interrogatives (哪一年, 哪两个, 哪个城市, 多少, 什么时候, 是否…) are question words, never content an article must
contain: ``content`` is the question with them cut out, and what is left is what the answer must support.

>>> a = analyse("大南在哪一年之后被迫将三个南部省份割让给法国?")
>>> a.kind, a.content
('date', '大南在之后被迫将三个南部省份割让给法国')
>>> analyse("哪个城市的体育局联合美团发放了体育消费券？").kind
'place'
>>> analyse("上海市体育局发放的体育消费券总额是多少？").kind, analyse("青少年模拟联合国大会讨论了几个议题？").unit
('number', '个')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.ingest.textnorm import search_form

# nouns that name the *kind* of answer after 哪/什么 ("哪个城市" wants a city's name, not the word 城市)
_PLACE_NOUNS = "城市|国家|地区|省份|省|市|县|区域|区|地方|州|岛|大洲|洲|大洋|海域|位置|地点|场所|国|城|村|镇|街道"
_ORG_NOUNS = "公司|企业|单位|机构|组织|部门|学校|大学|银行|球队|团队|团体|政党|党派|集团|平台|媒体|医院|家"
_PERSON_NOUNS = "人物|人|位|名人|球员|演员|作者|领导|官员|皇帝|教宗|国王|总统|学者"
#: what a question about one thing asks for ("X有哪些特点"): answered from X's own article, not as a list of articles
_ATTRIBUTE_NOUNS = ("特点|特色|作用|价值|意义|优势|功能|影响|要求|特征|用途|措施|举措|方式|方法|方面|内容|形式|表现|原因|问题|做法|"
                    "经验|好处|风险|挑战|条件|因素|成果|成效|亮点|目标|任务|变化|规定|政策|原则|步骤|环节|类型|种类|服务|项目|表演|面额")
_TIME_NOUNS = "时候|时间|年份|年代|日期|时期|朝代|世纪|年|月|天|日|季|季节|时"
_MEASURE = r"(?:[一两二三四五六七八九十几]?(?:个|位|家|所|种|部|间|名|支|条|项|座|本|场|届|次|艘|批|类|款|款式|首|篇|件|张)?)"

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("name", re.compile(r"(?:称之?|叫做?|译|改名|命名|誉)为什么|叫什么")),
    ("yesno", re.compile(r"是否|是不是|有没有|能不能|能否|可否|会不会|要不要|对不对|吗[？?。！!\s]*$")),
    ("reason", re.compile(r"为什么(?!$)|为何|什么原因|何原因|原因是|原因为|原因有|因为什么|何故")),
    ("method", re.compile(r"怎么|怎样|如何|什么办法|什么方式|什么方法|何种方式|采取了?什么措施|哪些措施")),
    ("date", re.compile(rf"什么时候|何时|何年|几时|哪[一两二三四五六七八九几]?(?:{_TIME_NOUNS})|几月|几号|几日|什么(?:{_TIME_NOUNS})"
                        r"|(?:日期|时间|年份)(?:是|为)")),
    ("percent", re.compile(r"百分之几|百分比|比例|占比|比率|增长率|增速|涨幅|增幅|降幅|利率|税率|几成|几分之几")),
    ("money", re.compile(r"多少钱|多少(?:万|亿)?元|价格|价钱|金额|售价|票价|费用|多少资金|成本")),
    ("attribute", re.compile(rf"(?:有哪些|哪些|哪几[个种项类方]?|有什么|什么)(?:{_ATTRIBUTE_NOUNS})"
                             rf"|(?:{_ATTRIBUTE_NOUNS})(?:都|还|主要|分别)?(?:有|包括|是)?(?:哪些|什么)")),
    ("list", re.compile(r"哪些|哪几(?!年|月|天|日|号|点|次|岁|等)")),
    ("number", re.compile(r"多少|几(?!乎)|第几|多大|多长|多高|多重|多远|多久|多深|多宽|多厚|多快|\bhow (?:many|much)\b", re.I)),
    ("person", re.compile(rf"谁|哪[一两二三四五六七八九几]?(?:{_PERSON_NOUNS})|什么人|何人|姓名|名字叫|\bwho\b|\bwhom\b", re.I)),
    ("place", re.compile(rf"哪里|哪儿|何处|何地|在哪|哪[一两二三四五六七八九几]?(?:个|座|片)?(?:{_PLACE_NOUNS})|什么(?:{_PLACE_NOUNS})|\bwhere\b", re.I)),
    ("organisation", re.compile(rf"哪[一两二三四五六七八九几]?(?:个|家|间|所|支)?(?:{_ORG_NOUNS})|什么(?:{_ORG_NOUNS})")),
    ("name", re.compile(r"叫什么|什么名|名称|主题是|主题为|什么主题|称为什么|被称为|被誉为什么|\bwhat is the name\b|\bcalled\b", re.I)),
    ("definition", re.compile(r"是什么意思|指什么|什么是|何谓|是指什么|的定义|^[^的,，]{1,8}(?:是什么|是何)$")),
    ("lookup", re.compile(r"什么|哪|何|啥")),
)

# interrogative phrases cut from the content, longest alternatives first
_INTERROGATIVE = re.compile(
    rf"(?:是否|是不是|有没有|能不能|能否|可否|会不会|要不要|对不对)"
    rf"|(?:哪里|哪儿)"
    rf"|(?:为什么(?!$)|为何|什么原因|何原因|怎么样|怎么|怎样|如何|何故)"
    rf"|(?:什么时候|何时|何年|几时|几月|几号|几日)"
    rf"|(?:百分之几|几分之几|几成|多少钱)"
    rf"|(?:多少|第几|几|多大|多长|多高|多重|多远|多久|多深|多宽|多厚|多快){_MEASURE}"
    rf"|哪(?:一|两|几|些)?{_MEASURE}(?:{_PLACE_NOUNS}|{_ORG_NOUNS}|{_PERSON_NOUNS}|{_TIME_NOUNS})?"
    rf"|(?:何处|何地|何人|何种|何)"
    rf"|什么(?:{_PLACE_NOUNS}|{_ORG_NOUNS}|{_PERSON_NOUNS}|{_TIME_NOUNS})?"
    rf"|(?:谁|啥)"
    rf"|吗(?=[？?。！!\s]*$)"
)
#: the asker's words for the collection itself ("这几期报纸里", "在这些报道中", "文中"): nothing an article holds
_COLLECTION = re.compile(r"(?:在|据|根据)?(?:这|那|上述|以上|本|各)(?:几|些|两|三)?(?:期|篇|份|则|版)?"
                         r"(?:报纸|报道|文章|新闻|稿件|版面|材料)(?:里|中|上|内|当中)?[，,]?"
                         r"|(?:据|根据)(?:报道|文章|文中)[，,]?|(?:报道|文章)(?:中|里)(?:提到|所说)?的?|文中(?:提到|所说)?的?")
_HEAD = re.compile(r"[\u4e00-\u9fff]{2}(?=[的是在于为被由与和,，、]|$)|[\u4e00-\u9fff]{2}")
_TRAILING = re.compile(r"[？?。！!，,\s]+$")
#: measure words and units a count or quantity is given in, longest first where one is the start of another
MEASURES = ("平方公里|平方千米|平方米|立方米|公里|千米|厘米|毫米|公斤|千克|公顷|英里|英尺|毫升|小时|分钟|个月|周年|人次|辆次|架次|"
            "万元|亿元|美元|欧元|日元|英镑|港元|港币|韩元|卢布|人民币|"
            "米|克|吨|亩|升|秒|年|月|天|日|周|岁|倍|度|次|届|场|名|人|位|个|家|支|项|件|条|种|所|座|部|本|首|张|台|辆|艘|架|枚|"
            "元|块|层|页|集|章|篇|户|套|间|栋|等|期|批|轮|队|份|株|只|头|匹|棵|门|款|类|级|分|票|席|成")
_UNIT = re.compile(rf"(?:多少|几)(万|亿|千|百)?({MEASURES})")
#: the kinds whose answer is one short span (the fact first), against descriptive ones answered with sentences
TYPED = frozenset({"date", "number", "money", "percent", "person", "place", "organisation", "name", "lookup"})


@dataclass(frozen=True)
class Analysis:
    question: str  # search form of the question (NFKC, Simplified, lower case)
    kind: str  # date|number|money|percent|person|place|organisation|yesno|definition|reason|method|list|attribute|name|lookup
    content: str  # the question without interrogatives and trailing punctuation
    interrogatives: tuple[str, ...]
    unit: str = ""  # the measure asked for ("个" in 几个议题, "元" for money), "" otherwise
    left: str = ""  # the question text before the first interrogative (to align the answer slot)
    right: str = ""  # … and after it
    head: str = ""  # the noun right after 哪一种/哪个 ("法案" in 哪个法案): the answer usually ends with it

    @property
    def typed(self) -> bool:
        return self.kind in TYPED

    @property
    def legacy_type(self) -> str:
        """The older coarse type the evidence scorer knows (number/person/place/time/event_name/how/list/lookup)."""
        return {"date": "time", "money": "number", "percent": "number", "name": "event_name", "reason": "how",
                "method": "how", "attribute": "how", "definition": "lookup", "organisation": "lookup",
                "yesno": "lookup"}.get(self.kind, self.kind)


def kind_of(form: str) -> str:
    for name, pattern in _RULES:
        if pattern.search(form):
            return name
    return "lookup"


def analyse(question: str) -> Analysis:
    """Analyse one question (any script; English questions get a kind from their wh-word)."""
    form = _TRAILING.sub("", search_form(question).strip())
    form = _COLLECTION.sub("", form) or form
    kind = kind_of(form)
    found = list(_INTERROGATIVE.finditer(form))
    content = _INTERROGATIVE.sub("", form).strip()
    unit = ""
    if m := _UNIT.search(form):
        unit = m.group(2) if m.group(2) not in "少" else ""
    if kind == "money":
        unit = "元"
    left, right = (form[: found[0].start()], form[found[0].end() :]) if found else (form, "")
    head = ""
    if found and found[0].group(0).startswith(("哪", "什么")) and (m := _HEAD.match(right)):
        head = m.group(0)
    return Analysis(form, kind, content, tuple(m.group(0) for m in found), unit, left, right, head)
