"""Answer-bearing sentences: candidates from retrieved chunks, scored against the question (pure over an index).

A sentence's score is the idf-weighted share of the question's key terms it contains (terms found only in the
article's title count half), plus a bonus when it carries what the question type asks for (a number with the
asked-for unit, a person's name, a place, a quoted name), plus a small prior from the chunk's rank.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.index.snapshot import Index
from rag.ingest.sentences import sentence_spans
from rag.ingest.textnorm import search_form
from rag.ingest.tokenize import Tokenizer
from rag.types import Article, Chunk, Hit

_NUM = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两]+)"
_QUESTION_WORDS = re.compile(r"^(几|多少|哪|什么|啥)")
_PERSON = re.compile(r"(主席|书记|副主席|主任|院长|校长|教授|律师|代表|经理|社长|科长|队长|老师|获得者|工作者|模范|志愿者|记者|通讯员)\s?[\u4e00-\u9fff]{2,3}|[\u4e00-\u9fff]{2,3}(表示|说|介绍|指出|强调|分享|讲述)|邀请[\u4e00-\u9fff]{2,20}(负责人|专家|学者|教授|老师|劳模)|(党员|干部|职工|代表)[\u4e00-\u9fff]{0,4}率先")
_DURATION = re.compile(rf"{_NUM}\s*(?:个)?(?:半)?(?:小时|分钟|天|周|个月|月|年)")
_COUNTED = re.compile(r"(?:多少|几)(?:名|位|个|家)?([\u4e00-\u9fff]{2,4})")
_PLACE = re.compile(r"(在|走进|前往|赴|来到|到)[\u4e00-\u9fff“”（）]{2,30}?(中心|公园|学校|分校|大学|学院|工地|项目|驿站|园|馆|站|厂|社区|公司|部|镇|街道|区|楼|基地|家)")
# a quoted name of an event, plan, programme or work ("“五月的鲜花”歌咏比赛", "主题为“…”", "《…》"), not any quote
_QUOTED = re.compile(r"“[^”]{2,30}”[\u4e00-\u9fff]{0,6}(?:活动|比赛|大赛|计划|行动|工程|项目|节|会|课堂|工作室|驿站|主题)"
                     r"|(?:主题为|主题是|名为|叫做|称为)“[^”]{2,30}”|《[^》]{2,40}》")
_TIME = re.compile(rf"{_NUM}年|{_NUM}月|{_NUM}日|近日|日前|上半年|下半年")


def _synonyms() -> dict[str, tuple[str, ...]]:
    path = Path(__file__).parent / "data" / "synonyms.json"
    return {term: tuple(alts) for term, alts in json.loads(path.read_text(encoding="utf-8")).items()}


#: generic news vocabulary: a key term also counts as present when one of these stands in the text
#: (data: rag/answer/data/synonyms.json)
SYNONYMS: dict[str, tuple[str, ...]] = _synonyms()
_SINGLE_CHAR_WEIGHT = 0.35


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence: ``text == article.body[start:end]``, inside ``chunk``."""

    article: Article
    chunk: Chunk
    start: int
    end: int
    text: str
    rank: int
    score: float = 0.0
    coverage: float = 0.0
    cosine: float = 0.0


@dataclass(frozen=True)
class QueryTerms:
    terms: tuple[str, ...]
    weights: tuple[float, ...]
    unit: str  # the measure word a number question asks for ("期" in "开几期"), "" otherwise
    unknown: tuple[str, ...] = ()  # content words the corpus never uses ("火星"), or typos
    counted: str = ""  # what a number question counts ("职工" in "惠及多少职工")
    duration: bool = False  # "多长时间" / "多久"
    alternatives: tuple[tuple[str, str], ...] = ()  # "绿豆或者绿豆汤": either counts for the first

    @property
    def known_share(self) -> float:
        """How much of the question the corpus vocabulary covers at all (unknown words weigh like a mid term)."""
        if not self.terms:
            return 0.0
        mid = sorted(self.weights)[len(self.weights) // 2]
        return self.total / (self.total + mid * len(self.unknown))

    @property
    def total(self) -> float:
        return sum(self.weights)


#: how many characters an unknown word is widened by on each side to find the corpus's word it was cut from
REJOIN_REACH = 3


def _rejoined(form: str, terms: list[str], weights: list[float], unknown: list[str],
              index: Index) -> tuple[list[str], list[float], list[str]]:
    """Unknown words the tokeniser cut from a name the corpus holds whole, made whole again: "锦地罗又被称之为"
    is cut 锦地/罗 though the articles' own "锦地罗（学名…）" gives 锦地罗 (jieba guesses unknown names from their
    neighbours). The longest run of the question around the unknown word that the corpus has as a word replaces
    it, and drops the key terms inside it.

    >>> class Corpus:
    ...     def idf(self, token): return {"锦地罗": 5.9, "罗": 1.5, "称之为": 4.6}.get(token, 0.0)
    >>> _rejoined("锦地罗又被称之为什么？", ["罗", "称之为"], [1.5, 4.6], ["锦地"], Corpus())
    (['称之为', '锦地罗'], [4.6, 5.9], [])
    """
    still: list[str] = []
    for word in unknown:
        at = form.find(word)
        best = ""
        if at >= 0:
            for i in range(max(0, at - REJOIN_REACH), at + 1):
                for j in range(at + len(word), min(len(form), at + len(word) + REJOIN_REACH) + 1):
                    whole = form[i:j]
                    if len(whole) > max(len(word), len(best)) and index.idf(whole) > 0:
                        best = whole
        if not best:
            still.append(word)
            continue
        kept = [(t, w) for t, w in zip(terms, weights, strict=True) if t not in best]
        terms, weights = [t for t, _ in kept], [w for _, w in kept]
        if best not in terms:
            terms.append(best)
            weights.append(index.idf(best))
    return terms, weights, still


def query_terms(question: str, tokenizer: Tokenizer, index: Index, ignore: frozenset[str] = frozenset()) -> QueryTerms:
    """Key terms of the question with idf weights; terms the corpus never uses weigh nothing."""
    terms, weights, unit, unknown = [], [], "", []
    alternatives = _alternatives(tokenizer, question)
    merged = {b for _a, b in alternatives}
    for term in tokenizer.terms(question):
        if term in ignore or term in merged:
            continue
        if m := _QUESTION_WORDS.match(term):
            rest = term[m.end() :]
            unit = unit or rest[:1]
            term = rest if len(rest) >= 2 else ""
        if not term or term in terms:
            continue
        parts = tokenizer(term) or [term]
        weight = max(index.idf(p) for p in parts) * (_SINGLE_CHAR_WEIGHT if len(term) == 1 else 1.0)
        if weight > 0:
            terms.append(term)
            weights.append(weight)
        elif len(term) >= 2 and re.search(r"[\u4e00-\u9fff]", term):
            unknown.append(term)
    if unknown:
        terms, weights, unknown = _rejoined(search_form(question), terms, weights, unknown, index)
    if not unit and (m := re.search(r"(?:几|多少)([\u4e00-\u9fff])", search_form(question))):
        unit = m.group(1)
    form = search_form(question)
    counted = m.group(1)[:2] if (m := _COUNTED.search(form)) and not unit else ""
    duration = re.search(r"多长时间|多久|多长", form) is not None
    return QueryTerms(tuple(terms), tuple(weights), unit, tuple(unknown), counted, duration,
                      tuple((a, b) for a, b in alternatives if a in terms))


_OR = {"或", "或者", "还是", "或是"}


def _alternatives(tokenizer: Tokenizer, question: str) -> list[tuple[str, str]]:
    """Pairs joined by 或/或者/还是 in the question ("绿豆或者绿豆汤" → ("绿豆", "绿豆汤"))."""
    words = [w for w in tokenizer._jieba.cut(search_form(question)) if w.strip()]
    pairs = []
    for i, word in enumerate(words[1:-1], start=1):
        if word in _OR:
            pairs.append((words[i - 1], words[i + 1]))
    return pairs


def coverage(q: QueryTerms, text: str, context: str = "") -> float:
    """Weighted share of key terms in ``text`` (terms only in ``context`` count half).

    >>> coverage(QueryTerms(("集体协商", "歌咏"), (2.0, 1.0), ""), "集体协商大赛", "歌咏比赛")
    0.8333333333333334
    """
    if not q.terms:
        return 0.0
    text, context = search_form(text), search_form(context)
    alternatives = dict(q.alternatives)
    got = 0.0
    for term, weight in zip(q.terms, q.weights, strict=True):
        other = alternatives.get(term, "")
        if _present(term, text) or (other and _present(other, text)):
            got += weight
        elif context and (_present(term, context) or (other and _present(other, context))):
            got += weight / 2
    return got / q.total


_ROLES = ("主席", "书记", "主任", "院长", "校长", "局长", "经理", "队长", "社长", "科长")


def _present(term: str, text: str) -> bool:
    """Term (or a synonym) in text; a role counts only when it is not the deputy's (``主席`` is not ``副主席``)."""
    if term in _ROLES:
        return re.search(rf"(?<!副){term}", text) is not None
    return term in text or any(alt in text for alt in SYNONYMS.get(term, ()))


def type_bonus(qtype: str, q: QueryTerms, text: str) -> float:
    """How well a sentence carries what the question type asks for (0..0.4)."""
    if qtype == "number":
        if q.unit and re.search(rf"{_NUM}\s*(?:余|多|个)?{re.escape(q.unit)}", text):
            return 0.4
        if q.counted and re.search(rf"{_NUM}\s*[万千百]?(?:余|多)?(?:名|位|个|家)?{re.escape(q.counted)}", text):
            return 0.4
        if q.duration and _DURATION.search(text):
            return 0.4
        return 0.15 if re.search(r"\d|[一二三四五六七八九十百千万两]{1,3}[个家名期支人场份项队等位]", text) else 0.0
    if qtype == "person":
        return 0.25 if _PERSON.search(text) else 0.0
    if qtype == "place":
        return 0.25 if _PLACE.search(text) else 0.0
    if qtype == "time":
        return 0.25 if _TIME.search(text) else 0.0
    if qtype == "event_name":
        return 0.2 if _QUOTED.search(text) else 0.0
    return 0.0


def candidates(index: Index, hits: Sequence[Hit], whole_articles: int = 3) -> list[Sentence]:
    """Sentences of the retrieved chunks, each once (by article and offsets), in retrieval order; the best
    ``whole_articles`` articles contribute all their chunks (the answer is often a few sentences past the hit)."""
    seen: set[tuple[str, int]] = set()
    out: list[Sentence] = []
    top = list(dict.fromkeys(h.article_id for h in hits))[:whole_articles]
    extra = [Hit(c, 0.0, "article") for aid in top for c in index.chunks_of(aid)]
    for rank, hit in enumerate([*hits, *extra]):
        article = index.articles.get(hit.article_id)
        if article is None:
            continue
        for a, b in sentence_spans(article.body, hit.chunk.start, hit.chunk.end):
            if (article.id, a) in seen or b - a < 4:
                continue
            seen.add((article.id, a))
            out.append(Sentence(article, hit.chunk, a, b, article.body[a:b], rank))
    return out


def article_coverage(q: QueryTerms, article: Article) -> float:
    """Share of key terms anywhere in the article: is the question's topic there at all?"""
    return coverage(q, f"{article.title}\n{article.subtitle}\n{article.body}")


def dense_strength(cosine: float | None, low: float = 0.76, high: float = 0.9) -> float:
    """e5 cosines crowd between ~0.75 (unrelated) and ~0.9 (on point): map that band onto 0..1.

    >>> dense_strength(0.83), dense_strength(None), dense_strength(0.95)
    (0.5, 0.0, 1.0)
    """
    if cosine is None:
        return 0.0
    return round(min(1.0, max(0.0, (cosine - low) / (high - low))), 6)


def score(sentences: Sequence[Sentence], q: QueryTerms, qtype: str, question: str = "",
          dense: Sequence[float | None] | None = None, dense_weight: float = 0.6) -> list[Sentence]:
    """Scored copies, best first. ``coverage`` holds the article-level coverage (used to decide refusal).

    Lexical evidence (key-term coverage of the sentence and its article), what the question type asks for, the
    sentence's meaning (``dense`` cosines from the sentence vectors) and a small retrieval-rank prior add up.
    """
    by_article: dict[str, float] = {}
    dense = dense or [None] * len(sentences)
    scored = []
    for s, cosine in zip(sentences, dense, strict=True):
        art = by_article.setdefault(s.article.id, article_coverage(q, s.article)) if q.terms else 0.0
        cov = coverage(q, s.text, s.article.heading) if q.terms else 0.0
        value = (0.6 * cov + 0.4 * art + type_bonus(qtype, q, s.text) * (0.5 + cov) + credit_bonus(question, s.text)
                 + dense_weight * dense_strength(cosine) + 0.1 / (1 + s.rank))
        scored.append(Sentence(s.article, s.chunk, s.start, s.end, s.text, s.rank, value, art,
                               cosine if cosine is not None else 0.0))
    return sorted(scored, key=lambda s: (-s.score, s.rank, s.start))


_ASKS_PHOTO = re.compile(r"拍|照片|图片|摄影|摄像|photo|picture", re.I)
_ASKS_BYLINE = re.compile(r"记者|通讯员|谁写|作者|稿子|撰稿|reporter|wrote|author", re.I)
_PHOTO_CREDIT = re.compile(r"^本报记者.{1,30}摄(影报道)?$")


def credit_bonus(question: str, text: str) -> float:
    """Questions about who took the photos or wrote the report are answered by the credit lines."""
    if _ASKS_PHOTO.search(question) and _PHOTO_CREDIT.match(text):
        return 1.0
    if _ASKS_BYLINE.search(question) and not _ASKS_PHOTO.search(question) and text.startswith("本报讯"):
        return 0.8
    return 0.0
