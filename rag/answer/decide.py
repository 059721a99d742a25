"""Answer or refuse: hard evidence that the question is about something the cited articles do not hold, then one
calibrated answerability score (the fitted refusal model), gated by ``refusal_threshold``.

Hard reasons: a place in the question (any administrative division in China) that the articles the answer would
come from do not name, nor contain below it; a named organisation or number (``第九场``, ``二等奖``) the articles lack;
a unit (``多少公里``, a price in 元) no candidate sentence gives with a number; a role holder nobody is named as.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.types import Article

from .english import is_foreign
from .pipeline import Prepared, question_features
from .ranker import for_model
from .refusal import asked_unit_absent, missing_entities, missing_numbers, role_holder_absent

log = logging.getLogger(__name__)
#: a list question's items each meet only part of its wording ("外卖员、快递员或…"): it is gated on key-term coverage
LIST_COVERAGE = 0.28


@dataclass(frozen=True)
class Decision:
    refuse: bool
    signals: dict[str, object] = field(default_factory=dict)


def _regions():
    try:
        from rag.ingest.places import find_regions, with_parents
    except ImportError:  # the place table is optional; the district gazetteer still checks Beijing's districts
        return None
    return find_regions, with_parents


def missing_places(question: str, articles: Sequence[Article]) -> list[str]:
    """Divisions the question names that none of ``articles`` names or lies in (any level, anywhere in China).

    An article lies in 浙江省 when it names 杭州市 or 西湖区; it does not lie in 西湖区 because it names 浙江省.
    """
    found = _regions()
    if found is None:
        return []
    find_regions, with_parents = found
    asked = find_regions(question)
    if not asked:
        return []
    covered: set[str] = set()
    for a in articles:
        named = tuple(a.regions) + tuple(a.districts) + find_regions(f"{a.title}\n{a.body}")
        covered |= set(with_parents(named)) | set(named)
    return [r for r in asked if r not in covered]


def decide(lib, p: Prepared, settings) -> Decision:
    ranked, used, a = p.ranked, p.used, p.analysis
    content = a.content or used
    top_articles = list({s.article.id: s.article for s in ranked[:40]}.values())
    # the articles the answer would come from: places, numbers and units asked for must be in them
    answer_articles = list({s.article.id: s.article for s in ranked[:3]}.values())
    answer_sentences = [s.text for s in ranked if s.article.id in {x.id for x in answer_articles}]
    missing = missing_places(content, answer_articles)
    missing += [e for e in missing_entities(content, top_articles, lib.tokenizer) if e not in missing]
    missing += missing_numbers(content, answer_articles)
    if a.kind in {"number", "money", "percent"} and (unit := asked_unit_absent(used, answer_sentences)):
        missing.append(f"a number of {unit}")
    pairs = [(s.text, s.article.body) for s in ranked if s.article.id in {x.id for x in top_articles[:5]}]
    if p.qtype == "person" and (role := role_holder_absent(used, pairs)):
        missing.append(role)
    models = for_model(settings.model)
    coverage = max(s.coverage for s in ranked[:10]) * p.terms.known_share
    cosine = max(s.cosine for s in ranked[:10])
    signals: dict[str, object] = {"key_term_coverage": round(coverage, 4), "cosine": round(cosine, 4),
                                  "missing": missing, "threshold_factor": 1.0}
    if p.qtype == "list":
        # not gated by ``refusal_threshold`` (an evaluation sweeping it leaves lists as they are)
        signals.update(coverage=round(coverage, 4), gate="list")
        weak = coverage < LIST_COVERAGE if p.lexical else cosine < settings.dense_refusal_threshold
    elif models is not None and models.refusal is not None and not is_foreign(used):
        # (fitted on Chinese questions only: an English one keeps the glossary-coverage / meaning gates below)
        score = float(models.refusal.probability(question_features(p, missing))[0])
        signals.update(coverage=round(score, 4), gate="coverage")  # the answerability score the threshold gates
        weak = score < settings.refusal_threshold
    else:
        signals.update(coverage=round(coverage, 4), gate="coverage" if p.lexical else "cosine")
        weak = coverage < settings.coverage_threshold if p.lexical else cosine < settings.dense_refusal_threshold
    return Decision(bool(missing) or weak, signals)
