"""The one keyword tokeniser (jieba), used for both documents and queries.

Text goes through :func:`~rag.ingest.textnorm.search_form` (NFKC, Traditional → Simplified, lower case), then jieba's
search mode, which keeps compounds such as ``集体协商`` whole *and* adds their parts. A user dictionary built from
the gazetteer plus domain terms (and an optional user file, one term per line) keeps names whole.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from pathlib import Path

import jieba

from .gazetteer import DISTRICTS
from .textnorm import search_form

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

DOMAIN_TERMS = (
    "集体协商", "集体合同", "经开区", "新就业形态劳动者", "新就业形态", "劳模工匠", "劳模", "工匠学院", "总工会",
    "街道总工会", "夏送清凉", "送清凉", "工会干部", "职工之家", "工会服务站", "产业工人", "劳动关系", "协商代表",
    "技能大赛", "歌咏比赛", "联谊活动", "健步走", "读书分享会", "思政教育", "党工共建", "微阵地", "娘家人",
    "户外劳动者", "外卖小哥", "环卫职工", "工资集体协商", "劳动模范", "十八大", "二十大", "十五大", "12351",
)
STOPWORDS = frozenset(
    ["的", "了", "在", "是", "和", "与", "及", "等", "也", "都", "就", "而", "并", "又", "或", "被", "把", "对", "为", "以", "于", "从", "到", "向", "由", "这", "那", "之", "其", "个", "中", "上", "下", "最近", "近期", "新闻", "动态", "报道", "情况", "方面", "哪方面", "效果", "事情", "内容", "相关", "都", "做", "搞", "弄", "办", "给", "里", "时", "应该", "能", "会", "要", "去", "来", "让", "还", "又", "最", "很", "更", "啥", "咋", "那次", "那场", "这次", "主要", "一共", "总共", "大概", "具体", "啊", "吗", "呢", "吧", "呀", "哪", "哪里", "哪儿", "哪些", "哪个", "那个", "这个", "什么", "是不是", "吗", "怎么", "怎样", "如何", "多少", "几", "谁", "有", "没有", "请问", "一下", "一个", "我", "你", "他", "她", "它", "们", "what", "which", "who", "how", "the", "a", "an", "of", "in", "on", "to", "and", "is", "are", "was", "were", "did", "do", "does"]
)
_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]")


class Tokenizer:
    """``Tokenizer()("哪些区举办了集体协商比赛")`` → ``['区', '举办', '集体', '协商', '集体协商', '比赛']``."""

    def __init__(self, user_dict: Path | None = None, extra_terms: Iterable[str] = ()) -> None:
        terms = set(DOMAIN_TERMS) | set(extra_terms)
        for name, aliases in DISTRICTS.items():
            terms.update((name, *aliases, f"{name}总工会"))
        if user_dict is not None:
            terms.update(t.strip() for t in Path(user_dict).read_text(encoding="utf-8").splitlines() if t.strip())
        self.user_terms = tuple(sorted(search_form(t) for t in terms))
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for term in self.user_terms:
            self._jieba.add_word(term, freq=200_000)
        digest = hashlib.sha1("\n".join(self.user_terms).encode()).hexdigest()[:8]
        self.name = f"jieba-search/{jieba.__version__}/{digest}"

    def __call__(self, text: str) -> list[str]:
        """Search-mode tokens (compounds and their parts) for indexing and querying."""
        return self._keep(self._jieba.cut_for_search(search_form(text)))

    def terms(self, text: str) -> list[str]:
        """Precise-mode tokens (each word once, compounds whole), e.g. the key terms of a question.

        >>> Tokenizer().terms("哪些区举办了集体协商比赛？")
        ['区', '举办', '集体协商', '比赛']
        """
        return self._keep(self._jieba.cut(search_form(text)))

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(word, part-of-speech) pairs from jieba's tagger, used to spot names of people, places, organisations."""
        if not hasattr(self, "_pos"):
            self._pos = _tagger(self._jieba)
        return [(p.word, p.flag) for p in self._pos.cut(search_form(text))]

    def known(self, word: str) -> bool:
        """Is ``word`` in jieba's dictionary (as opposed to an unknown string it guessed a tag for)?"""
        return self._jieba.FREQ.get(word, 0) > 0

    @staticmethod
    def _keep(tokens: Iterable[str]) -> list[str]:
        out = []
        for token in tokens:
            token = token.strip()
            if token and token not in STOPWORDS and _TOKEN_OK.search(token):
                out.append(token)
        return out


def _tagger(tokenizer: jieba.Tokenizer) -> jieba.posseg.POSTokenizer:
    """jieba's part-of-speech tagger over ``tokenizer``, sharing the word → tag table that importing
    ``jieba.posseg`` has already loaded for its default tagger (349k words, ~40 MB each time it is loaded).

    The table comes from jieba's main dictionary, which every tokeniser here uses; the user terms are added
    without tags, so nothing is ever merged into the shared table.
    """
    import jieba.posseg

    if tokenizer.dictionary != jieba.posseg.dt.tokenizer.dictionary:
        return jieba.posseg.POSTokenizer(tokenizer)
    tagger = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)  # its __init__ would load the table
    tagger.tokenizer, tagger.word_tag_tab = tokenizer, jieba.posseg.dt.word_tag_tab  # its only two attributes
    return tagger
