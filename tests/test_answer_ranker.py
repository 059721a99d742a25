"""The fitted ranker: parameters as data, the fitting helpers on hand-made rows, and the committed file."""

from __future__ import annotations

import json

import numpy as np

from rag.answer.features import RANKER_FEATURES
from rag.answer.fit import Rows, fit_listwise, ordered, pick_threshold, top1
from rag.answer.pipeline import QUESTION_FEATURES
from rag.answer.ranker import PARAMS, Logistic, load


def test_logistic_round_trips_through_json() -> None:
    m = Logistic(("a", "b"), np.array([1.0, 2.0]), np.array([2.0, 4.0]), np.array([0.5, -1.0]), 0.25, 0.4)
    back = Logistic.from_json(json.loads(json.dumps(m.to_json())))
    x = np.array([[3.0, 2.0]], dtype=np.float32)
    # ((3-1)/2)*0.5 + ((2-2)/4)*-1 + 0.25 = 0.75
    assert back.features == ("a", "b") and back.threshold == 0.4
    assert abs(float(back.logit(x)[0]) - 0.75) < 1e-6


def test_fitted_ranker_puts_the_gold_sentence_first_when_one_feature_tells() -> None:
    # two questions, three candidates each in hand-scored order; only feature 0 marks the gold sentence
    x = np.array([[0.1, 0.5], [0.9, 0.4], [0.2, 0.6], [0.8, 0.1], [0.3, 0.9], [0.1, 0.2]], dtype=np.float32)
    y = np.array([0, 1, 0, 1, 0, 0], dtype=np.int8)
    group = np.array([0, 0, 0, 1, 1, 1])
    rows = Rows(x, y, group, np.zeros((0, 1)), np.zeros(0), [])
    assert np.allclose(ordered(rows)[:, 2], [1.0, 0.5, 1 / 3, 1.0, 0.5, 1 / 3])  # hand_rank, per question
    model = fit_listwise(ordered(rows), y.astype(float), group, ("signal", "noise", "hand_rank"))
    assert top1(model, rows) == 1.0
    assert top1(None, rows) == 0.5  # the hand order: the first candidate is gold in question 1 only
    assert model.coef[0] > 0


def test_threshold_keeps_the_false_refusal_budget() -> None:
    m = Logistic(("p",), np.array([0.0]), np.array([1.0]), np.array([1.0]), 0.0)
    q = np.array([[-3.0], [-1.0], [0.0], [1.0], [2.0], [3.0], [-2.0], [-4.0]], dtype=np.float32)
    answerable = np.array([1, 1, 1, 1, 1, 1, 0, 0])
    t = pick_threshold(m, q, answerable, false_refusal=0.0)
    assert (m.probability(q[answerable == 1]) >= t).all()
    assert (m.probability(q[answerable == 0]) < t).sum() == 1  # only the clearly lower one falls below


def test_committed_parameters_match_the_features_and_say_where_they_come_from() -> None:
    models = load(PARAMS)
    assert models is not None, "run python -m rag.answer.fit"
    assert models.sentence.features == RANKER_FEATURES and len(models.sentence.coef) == len(RANKER_FEATURES)
    assert models.refusal is not None and models.refusal.features == QUESTION_FEATURES
    assert 0.0 < models.refusal.threshold < 1.0
    assert {"cmrc", "drcd"} <= set(models.provenance["sets"]) and "held_out" in models.provenance
    assert PARAMS.stat().st_size < 2_000_000


def test_parameters_fitted_on_other_features_are_not_used(tmp_path) -> None:
    """A parameter file from before a feature was added used to fail on every answer (a matrix of the wrong
    width): it is set aside, with a warning, and the hand-weighted order is used."""
    from rag.answer.ranker import for_model

    row = json.loads(PARAMS.read_text(encoding="utf-8"))
    model = row["provenance"]["model"]
    row["sentence"]["features"] = row["sentence"]["features"][:-1]
    stale = tmp_path / "ranker.json"
    stale.write_text(json.dumps(row), encoding="utf-8")
    assert for_model(model, stale) is None
    assert for_model(model, PARAMS) is not None


def test_residual_coverage_counts_what_the_title_does_not_already_say() -> None:
    """CMRC's "黄蝉的花是什么样子？": in 黄蝉's own article every sentence is about 黄蝉, so the sentence about the
    flower is told apart by 花, the key term the title does not hold; the opening sentence scores nothing there."""
    from types import SimpleNamespace

    from rag.answer.analysis import analyse
    from rag.answer.evidence import QueryTerms, Sentence
    from rag.answer.features import FEATURES, sentence_features
    from rag.types import Article

    body = "黄蝉别称硬枝黄蝉，为夹竹桃科植物。花为聚伞花序顶生，鲜黄色。"
    article = Article("a", "黄蝉", body, "s")
    chunk = SimpleNamespace(id="a:0", text=body)
    pool = [Sentence(article, chunk, 0, 16, body[:16], 0), Sentence(article, chunk, 16, len(body), body[16:], 0)]
    q = QueryTerms(("黄蝉", "花"), (1.0, 1.0), "")
    x = sentence_features(pool, q, analyse("黄蝉的花是什么样子？"), "lookup")
    residual = x[:, FEATURES.index("residual")]
    assert residual.tolist() == [0.0, 1.0]
    assert x[:, FEATURES.index("residual_gap")].tolist() == [-1.0, 0.0]
    # a title that holds none of the key terms leaves plain coverage
    other = Article("b", "植物", body, "s")
    pool = [Sentence(other, chunk, 0, 16, body[:16], 0)]
    x = sentence_features(pool, q, analyse("黄蝉的花是什么样子？"), "lookup")
    assert x[0, FEATURES.index("residual")] == x[0, FEATURES.index("coverage")] == 0.5
