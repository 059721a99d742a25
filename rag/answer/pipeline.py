"""From a standalone question to ranked evidence: analysis, retrieval, candidate sentences, their features, the
fitted ranking and the signals refusal is decided on. ``answer()`` composes from it; ``fit`` learns from it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from rag.types import Filters, Hit

from .analysis import Analysis, analyse
from .english import bridge, is_foreign
from .evidence import QueryTerms, Sentence, candidates, query_terms, score
from .features import sentence_features, with_order
from .lead import asks_credit as credit_bonus_asked
from .qtype import about_one, classify, list_target
from .ranker import Models, for_model

LIST_K = 24
#: a list question naming the title of one of this many best articles is answered from that article
ABOUT_ONE_HITS = 3
#: the fitted ranker re-scores this many of the hand-scored candidates (fit reports how often the gold is among them)
RERANK_POOL = 60
#: refusal-score features, one row per question (see :func:`question_features`)
QUESTION_FEATURES = ("best_probability", "second_probability", "coverage", "known_share", "cosine", "bigram",
                     "article_coverage", "unknown_terms", "missing")


@dataclass(frozen=True)
class Prepared:
    used: str
    analysis: Analysis
    qtype: str  # the coarse type (number/person/place/time/event_name/how/list/lookup)
    wants: str  # what the sentence scorer looks for (a list of people wants people)
    bridged: str
    lexical: bool  # judged by its words (Chinese, or English with glossary words) rather than by meaning alone
    hits: list[Hit]
    terms: QueryTerms
    ranked: list[Sentence] = field(default_factory=list)  # best first
    features: np.ndarray | None = None  # rows aligned with ``ranked``
    probabilities: np.ndarray | None = None  # the fitted ranker's, aligned with ``ranked``


def key_terms(a: Analysis, question: str, tokenizer, index) -> QueryTerms:
    """The question's key terms without its interrogatives (哪一年, 哪个城市 and 第几 are not content), keeping
    what the whole question says about the asked-for unit."""
    whole = query_terms(question, tokenizer, index)
    if not a.content or a.content == a.question:
        return whole
    content = query_terms(a.content, tokenizer, index)
    return replace(content, unit=whole.unit, counted=whole.counted, duration=whole.duration)


def prepare(lib, used: str, k: int | None = None, filters: Filters | None = None,
            models: Models | None = None, rank: bool = True) -> Prepared:
    settings, index = lib.settings, lib.index
    a = analyse(used)
    qtype = classify(used)
    if qtype == "list" and a.kind == "attribute":
        qtype = "how"  # "X有哪些特点" is about one thing: answered from its own article, not as a list
    k = k or settings.answer_k
    foreign = is_foreign(used)
    bridged, foreign_unknown = bridge(used) if foreign else ("", ())
    query = f"{used} {bridged}".strip()
    hits = lib.search(query, min(settings.max_k, LIST_K if qtype == "list" else k), None, filters)
    if qtype == "list" and about_one(used, [h.chunk.title for h in hits[:ABOUT_ONE_HITS]]):
        qtype = "lookup"  # "锦地罗分布在哪些地区": the items are in the article about it
    terms = key_terms(a, bridged or used, lib.tokenizer, index) if not bridged else query_terms(bridged, lib.tokenizer, index)
    if foreign_unknown:
        terms = replace(terms, unknown=terms.unknown + foreign_unknown)
    lexical = not foreign or bool(bridged)
    wants = "person" if qtype == "list" and list_target(used) == "person" else qtype
    prepared = Prepared(used, a, qtype, wants, bridged, lexical, hits, terms)
    if not hits:
        return prepared
    pool = candidates(index, hits)
    cosines = None
    if len(index.sentences):  # the vector the search made (an English question's carries its Chinese terms)
        cosines = index.sentences.similarities(lib.encode(query), [(s.article.id, s.start) for s in pool])
    ranked = score(pool, terms, wants, used, cosines)
    if not ranked:
        return prepared
    if qtype != "list":
        ranked = ranked[:RERANK_POOL]
    x = sentence_features(ranked, terms, a, wants, [s.cosine if cosines else None for s in ranked])
    models = (models if models is not None else for_model(settings.model)) if rank else None
    probabilities = None
    # lists keep the hand order, and so do questions about bylines and photo credits, which no fitting set asks
    if models is not None and qtype != "list":
        probabilities = models.sentence.probability(with_order(x))
        if not credit_bonus_asked(used):
            order = np.argsort(-probabilities, kind="stable")
            ranked = [replace(ranked[i], score=float(probabilities[i])) for i in order]
            x, probabilities = x[order], probabilities[order]
    return replace(prepared, ranked=ranked, features=x, probabilities=probabilities)


#: a typed answer also cites the second-best sentence when the fitted ranker's log-odds for it are within this of
#: the best's (measured: docs/answers.md)
UNSURE_MARGIN = 1.0


def runner_up(p: Prepared) -> Sentence | None:
    """The second-best sentence when the fitted ranker can hardly tell it from the best, else None."""
    probs = p.probabilities
    if probs is None or len(probs) < 2 or probs[1] > probs[0]:
        return None  # no fitted ranking (or the hand order was kept)
    return p.ranked[1] if _log_odds(float(probs[0])) - _log_odds(float(probs[1])) <= UNSURE_MARGIN else None


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def question_features(p: Prepared, missing: Sequence[str]) -> np.ndarray:
    """One row of :data:`QUESTION_FEATURES` for the refusal score."""
    from .features import FEATURES

    probs = np.sort(p.probabilities)[::-1] if p.probabilities is not None else np.zeros(1, np.float32)
    top = p.features if p.features is not None and len(p.features) else np.zeros((1, len(FEATURES)), np.float32)
    col = {name: i for i, name in enumerate(FEATURES)}
    return np.array([[
        float(probs[0]) if len(probs) else 0.0, float(probs[1]) if len(probs) > 1 else 0.0,
        float(top[:, col["heading_coverage"]].max()) * p.terms.known_share, p.terms.known_share,
        float(top[:, col["cosine"]].max()), float(top[:, col["bigram"]].max()),
        float(top[:, col["article_coverage"]].max()), float(len(p.terms.unknown)), float(bool(missing)),
    ]], dtype=np.float32)
