"""Follow-up questions → standalone questions, cheaply and only when the question depends on the history.

>>> h = [{"role": "user", "content": "密云区工匠学院是什么时候成立的？"}, {"role": "assistant", "content": "近日成立。"}]
>>> rewrite("它今年计划开几期培训班？", h)
'密云区工匠学院今年计划开几期培训班？'
>>> rewrite("那昌平区的呢？", [{"role": "user", "content": "通州区举办了什么比赛？"}])
'昌平区举办了什么比赛？'
>>> rewrite("顺义区总工会举办了什么培训？", h)
'顺义区总工会举办了什么培训？'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.ingest.gazetteer import find_districts, find_organisations, find_places
from rag.ingest.textnorm import to_simplified

_PRONOUN = re.compile(
    r"它们|它|他们|她们|(?<!其)[他她](?!们)|该(?!区|市|镇)(?:单位|组织|公司|学院|工会|活动|比赛)?|"
    r"(?:这|那)(?:个|些|家|组|次|场|位|项)?(?:单位|活动|比赛|学院|照片|企业|公司|培训|会议)|这些|那些|这家|那家|"
    r"此次(?:活动|比赛)?|上述|其(?=[\u4e00-\u9fff])"
)
_QUESTION_WORD = re.compile(r"多少|几|什么|谁|哪|怎么|如何|为什么|是否|吗")
_PREDICATE = re.compile(r"在|是|有|举办|举行|开展|召开|组织|为|给|对|向|的|哪|什么|谁|多少|几|怎么|如何|获得|荣获|参加")
_WHAT_ABOUT = re.compile(r"^(?:那|那么|还有)?(.{1,20}?)(?:的)?(?:情况)?呢[？?。]?$")
_EN_FOLLOWUP = re.compile(r"^(what about|and|how about)\b|\b(it|they|them|its|their)\b", re.I)


def _entities(text: str) -> list[str]:
    """Named things in a question, most specific first: organisations, places, districts, quoted names."""
    found = [*find_organisations(text), *find_places(text), *find_districts(text)]
    found += re.findall(r"“([^”]{2,20})”", text)
    return found


def _topic(previous: str) -> str:
    """What the previous question was about: its first named entity, else its subject (text before the verb)."""
    if entities := _entities(previous):
        return entities[0]
    m = _PREDICATE.search(previous, 2)
    return previous[: m.start()] if m else ""


_NOUN_TAIL = re.compile(r"(单位|活动|比赛|学院|照片|企业|公司|培训|会议)$")


def _replace(pronoun: str, topic: str) -> str:
    """``这组照片`` → ``{topic}的照片``; ``它`` → ``{topic}``."""
    noun = _NOUN_TAIL.search(pronoun)
    return f"{topic}的{noun.group(1)}" if noun and not topic.endswith(noun.group(1)) else topic


def _kind(name: str) -> str:
    if find_districts(name) == (name,) or name.endswith("区"):
        return "district"
    if find_places(name):
        return "place"
    return "other"


def depends_on_history(question: str) -> bool:
    q = to_simplified(question).strip()
    if _PRONOUN.search(q) or _WHAT_ABOUT.match(q) or _EN_FOLLOWUP.search(q) or len(q) <= 4:
        return True
    # a short question naming nothing leans on the conversation ("每个人能领几盒？")
    return len(q) <= 14 and not _entities(q) and not re.search(r"[a-zA-Z]{3,}", q)


def rewrite(question: str, history: Sequence[dict] | None) -> str:
    """The standalone form of ``question`` given earlier turns (unchanged when it does not depend on them)."""
    if not history or not depends_on_history(question):
        return question
    users = [t.get("content", "") for t in history if t.get("role") == "user" and t.get("content", "").strip()]
    others = [t.get("content", "") for t in history if t.get("role") == "assistant"]
    if not users:
        return question
    previous = to_simplified(users[-1]).strip()
    entities = _entities(previous) or [e for text in reversed(others) for e in _entities(text)][:1]
    topic = entities[0] if entities else _topic(previous)
    q = to_simplified(question).strip()
    m = _WHAT_ABOUT.match(q)
    if m and not _QUESTION_WORD.search(m.group(1)):
        new = m.group(1).strip("，, ")
        same = [e for e in entities if _kind(e) == _kind(new)] or entities
        if same and same[0] in previous:
            return previous.replace(same[0], new, 1)
        return f"{new}{previous}"
    q = re.sub(r"^(那么|那|还有)(?=[\u4e00-\u9fff]{3})", "", q)
    if topic and _PRONOUN.search(q):
        return _PRONOUN.sub(lambda m: _replace(m.group(0), topic), q, count=1)
    if topic and not (_entities(q) and not _WHAT_ABOUT.match(q)):
        return f"{topic}{q}"
    return q if _entities(q) else f"{previous.rstrip('？?。')}，{q}"
