"""English questions: a small domain glossary bridges their key words to the Chinese the corpus uses, so the
keyword side (retrieval, sentence choice, refusal) works for them too; the dense side is multilingual anyway.

>>> bridge("Who was appointed dean of the Miyun District Craftsman College?")
('受聘 院长 密云区 工匠 学院', ())
"""

from __future__ import annotations

import re

from ..gazetteer import DISTRICTS

_PINYIN = {
    "dongcheng": "东城区", "xicheng": "西城区", "chaoyang": "朝阳区", "haidian": "海淀区", "fengtai": "丰台区",
    "shijingshan": "石景山区", "mentougou": "门头沟区", "fangshan": "房山区", "tongzhou": "通州区", "shunyi": "顺义区",
    "changping": "昌平区", "daxing": "大兴区", "huairou": "怀柔区", "pinggu": "平谷区", "miyun": "密云区",
    "yanqing": "延庆区", "baliszhuang": "八里庄", "balizhuang": "八里庄", "chaowai": "朝外街道",
    "taoranting": "陶然亭", "xichang'an": "西长安街", "gongchen": "拱辰", "yongshun": "永顺镇", "liyuan": "梨园镇",
    "beijing": "北京", "shanghai": "上海", "tianjin": "天津", "shenzhen": "深圳", "guangzhou": "广州",
}
GLOSSARY: dict[str, str] = {
    **_PINYIN,
    "economic-technological": "经开区", "e-town": "经开区", "etdz": "经开区",
    "union": "工会", "unions": "工会", "federation": "总工会", "trade": "工会",
    "collective": "集体", "bargaining": "协商", "negotiation": "协商", "negotiators": "协商代表",
    "negotiating": "协商", "contract": "合同", "contracts": "合同", "agreement": "合同",
    "contest": "大赛", "contests": "大赛", "competition": "比赛", "competitions": "比赛", "prize": "奖",
    "first": "一等奖", "winner": "一等奖", "won": "荣获", "award": "奖", "awards": "奖",
    "team": "代表队", "teams": "代表队", "final": "决赛",
    "workers": "职工", "worker": "职工", "employees": "职工", "employee": "职工", "staff": "职工",
    "frontline": "一线", "outdoor": "户外", "couriers": "快递员", "courier": "快递员", "delivery": "外卖",
    "riders": "外卖小哥", "sanitation": "环卫", "retirees": "退休职工", "young": "青年", "youth": "青年",
    "single": "单身", "matchmaking": "交友", "dating": "交友",
    "model": "劳模", "models": "劳模", "craftsman": "工匠", "craftsmen": "工匠", "craftsmanship": "工匠",
    "college": "学院", "academy": "学院", "university": "大学", "school": "学校", "kindergarten": "幼儿园",
    "dean": "院长", "chair": "主席", "chairman": "主席", "chairwoman": "主席", "president": "主席",
    "secretary": "书记", "director": "主任", "head": "负责人", "leader": "负责人", "reporter": "记者",
    "photo": "摄影", "photos": "摄影", "photographed": "摄影", "picture": "摄影",
    "training": "培训", "trained": "培训", "course": "培训班", "courses": "培训班", "class": "培训班",
    "classes": "培训班", "lecture": "讲座", "seminar": "讲座",
    "summer": "夏送清凉", "heat": "高温", "cool": "清凉", "cooling": "清凉", "relief": "防暑降温",
    "visit": "慰问", "visited": "慰问", "condolence": "慰问", "sent": "送", "gifts": "物资", "supplies": "物资",
    "congress": "代表大会", "spirit": "精神", "study": "学习", "reading": "读书", "books": "图书", "book": "图书",
    "walk": "健步走", "walking": "健步走", "hike": "徒步", "hiking": "徒步", "park": "公园", "forest": "森林",
    "olympic": "奥林匹克", "singing": "歌咏", "choir": "歌咏", "song": "歌", "songs": "歌曲",
    "calligraphy": "书法", "dance": "舞蹈", "dancing": "舞蹈", "flower": "插花", "flowers": "鲜花",
    "arranging": "插花", "medicine": "中医", "doctor": "中医", "haircut": "理发", "haircuts": "理发",
    "fair": "大集", "market": "大集", "service": "服务", "services": "服务", "station": "服务站",
    "apartment": "公寓", "apartments": "公寓", "partner": "伙伴", "plan": "计划", "program": "计划",
    "landscaping": "园林绿化", "greening": "园林绿化", "gardening": "园林", "catering": "餐饮",
    "restaurant": "餐饮", "waterworks": "自来水", "water": "自来水", "group": "集团", "railway": "中铁",
    "company": "公司", "companies": "企业", "enterprises": "企业", "enterprise": "企业", "industry": "行业",
    "real": "房地产", "estate": "房地产", "construction": "建筑", "site": "工地", "building": "建筑",
    "project": "项目", "pests": "防治", "pest": "防治", "wasps": "管氏肿腿蜂", "pruning": "修剪",
    "teachers": "老师", "students": "学生", "lawyer": "律师", "volunteer": "志愿者", "volunteers": "志愿者",
    "held": "举办", "hold": "举办", "organised": "组织", "organized": "组织", "launched": "启动",
    "established": "成立", "founded": "成立", "opened": "成立", "signed": "签订", "signing": "签约",
    "appointed": "受聘", "many": "", "much": "", "how": "", "people": "人", "participants": "参加",
    "took": "参加", "participated": "参加", "attended": "出席", "free": "免费", "wage": "工资", "wages": "工资",
    "salary": "工资", "minimum": "最低工资", "rights": "权益", "legal": "法律", "law": "法治",
    "district": "区", "street": "街道", "subdistrict": "街道", "town": "镇", "township": "镇",
    "18th": "十八大", "twentieth": "二十大", "20th": "二十大", "party": "党",
}
_STOP = set(
    "a an the of in on at to for by with from and or is are was were be been did do does what which who whom whose "
    "when where why how this that these those it its they their them he she his her i you we our my your me "
    "during about into over after before up down out as than then there here also any each other some such only "
    "same so very can could would should will shall may might must has have had not no yes all both more most "
    "last next year years time times name named called kind sort way side each".split()
)


def is_foreign(question: str) -> bool:
    """A question with no Chinese characters in it."""
    return re.search(r"[\u4e00-\u9fff]", question) is None


def bridge(question: str) -> tuple[str, tuple[str, ...]]:
    """(Chinese key terms for the question's words, the content words the glossary does not know)."""
    terms: list[str] = []
    unknown: list[str] = []
    for word in re.findall(r"[A-Za-z][A-Za-z'\-]*|\d+\w*", question.lower()):
        word = word.strip("'-").removesuffix("'s")
        if word in GLOSSARY:
            zh = GLOSSARY[word]
            if zh and zh not in terms:
                terms.append(zh)
        elif word.rstrip("s") in GLOSSARY and GLOSSARY[word.rstrip("s")]:
            zh = GLOSSARY[word.rstrip("s")]
            if zh not in terms:
                terms.append(zh)
        elif word not in _STOP and not word.isdigit():
            unknown.append(word)
    # "Miyun District" → 密云区 区: drop a bare 区 already carried by a district name
    if "区" in terms and any(t in DISTRICTS for t in terms):
        terms.remove("区")
    return " ".join(terms), tuple(unknown)
