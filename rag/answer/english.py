"""English questions: a small domain glossary bridges their key words to the Chinese the corpus uses, so the
keyword side (retrieval, sentence choice, refusal) works for them too; the dense side is multilingual anyway.

>>> bridge("Who was appointed dean of the Miyun District Craftsman College?")
('受聘 院长 密云区 工匠 学院', ())
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rag.ingest.gazetteer import DISTRICTS


def _load() -> tuple[dict[str, str], frozenset[str]]:
    data = json.loads((Path(__file__).parent / "data" / "glossary_en.json").read_text(encoding="utf-8"))
    return {**data["places"], **data["words"]}, frozenset(data["stopwords"])


#: English word -> the Chinese key term the corpus uses (data: rag/answer/data/glossary_en.json)
GLOSSARY, _STOP = _load()


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
