"""Fit the sentence ranker and the refusal score on public data: ``python -m rag.answer.fit``.

Each set's documents go into one index (open-domain, as the product runs), every question is prepared exactly as
``answer()`` prepares it, and every candidate sentence becomes a row labelled by whether it contains a gold
answer. Logistic regressions (scikit-learn, deterministic) are fitted on standardised features; only their
parameters are written (``rag/answer/data/ranker.json``), with the data's provenance and the held-out figures:
for each set, the ranker fitted on the other sets and measured on it.

Refusal: answerable questions (a gold answer is among the candidates) against questions that must be refused
(CRUD's ``无法推断``, and questions asked against another set's index, whose corpus cannot hold their answer).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.errors import InputError
from rag.ingest.textnorm import search_form

from .features import FEATURES, RANKER_FEATURES, with_order
from .fitdata import QA, FitSet, beir, squad
from .fitindex import open_fit_index
from .pipeline import QUESTION_FEATURES, prepare, question_features
from .ranker import PARAMS, Logistic
from .refusal import missing_entities, missing_numbers

log = logging.getLogger(__name__)
SHARED = Path("../shared/data")
SOURCES = {
    "cmrc": "CMRC 2018 trial (ymcui/cmrc2018, CC BY-SA 4.0), all 256 paragraphs",
    "drcd": "DRCD dev (DRCKnowledgeTeam/DRCD, CC BY-SA 3.0), first {n} paragraphs, Traditional",
    "crud": "CRUD-RAG 2-document questions (IAAR-Shanghai, Apache-2.0) as built by eval.datasets: the judged "
            "documents and the first 200 distractors",
}


@dataclass
class Rows:
    x: np.ndarray  # sentence features
    y: np.ndarray  # contains a gold answer
    group: np.ndarray  # question number
    q: np.ndarray  # question features
    answerable: np.ndarray  # 1 answerable, 0 must be refused
    pools: list[np.ndarray]  # each question row's sentence features (to refresh its ranker probabilities)
    asked: int = 0  # questions with a gold answer


def _has_gold(text: str, answers: tuple[str, ...]) -> bool:
    form = search_form(text)
    return any(search_form(a) in form for a in answers)


def collect(lib, questions: list[QA], foreign: bool = False) -> Rows:
    """Rows for ``questions`` against ``lib`` (``foreign``: the index is another set's, so all must be refused)."""
    xs, ys, groups, qs, ans, pools = [], [], [], [], [], []
    for n, qa in enumerate(questions):
        try:
            p = prepare(lib, qa.question, rank=False)
        except InputError as exc:  # a question with no searchable words ("？"): the product refuses it too
            log.info("skipped %s: %s", qa.id, exc)
            continue
        if not p.ranked:
            continue
        missing = missing_entities(p.analysis.content or p.used, list({s.article.id: s.article for s in p.ranked[:40]}.values()),
                                   lib.tokenizer) + missing_numbers(p.analysis.content, [s.article for s in p.ranked[:3]])
        labels = np.array([_has_gold(s.text, qa.answers) for s in p.ranked], dtype=np.int8) if qa.answers else None
        if labels is not None and not foreign and labels.any():
            xs.append(p.features)
            ys.append(labels)
            groups.append(np.full(len(labels), n))
        # a question over its own corpus is answerable when a candidate holds its answer
        answerable = 0 if (foreign or not qa.answers) else int(labels is not None and labels.any())
        if foreign or not qa.answers or answerable:
            qs.append(question_features(p, missing)[0])
            ans.append(answerable)
            pools.append(p.features)
    dim = len(FEATURES)
    return Rows(np.concatenate(xs) if xs else np.zeros((0, dim), np.float32),
                np.concatenate(ys) if ys else np.zeros(0, np.int8),
                np.concatenate(groups) if groups else np.zeros(0, int),
                np.array(qs, np.float32).reshape(-1, len(QUESTION_FEATURES)), np.array(ans, np.int8), pools,
                sum(bool(qa.answers) for qa in questions))


def refresh_probabilities(rows: Rows, sentence: Logistic) -> None:
    """Fill the question rows' ranker columns with ``sentence``'s probabilities (as ``answer()`` will see them)."""
    for i, pool in enumerate(rows.pools):
        p = np.sort(sentence.probability(with_order(pool)))[::-1]
        rows.q[i, 0] = p[0] if len(p) else 0.0
        rows.q[i, 1] = p[1] if len(p) > 1 else 0.0


def cached(path: Path, reuse: bool, make) -> Rows:
    """``make()``'s rows, stored at ``path``; read back instead when ``reuse`` (features unchanged since)."""
    import pickle

    key = (FEATURES, QUESTION_FEATURES)
    if reuse and path.exists():
        stored_key, rows = pickle.loads(path.read_bytes())
        if stored_key == key:
            return rows
    rows = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps((key, rows)))
    return rows


def ordered(rows: Rows) -> np.ndarray:
    """The ranker's matrix: each question's rows (in hand-scored order) with their ``hand_rank`` column."""
    out = np.zeros((len(rows.x), rows.x.shape[1] + 1), np.float32)
    for g in np.unique(rows.group):
        idx = np.flatnonzero(rows.group == g)
        out[idx] = with_order(rows.x[idx])
    return out


def fit_listwise(x: np.ndarray, y: np.ndarray, group: np.ndarray, names: tuple[str, ...], l2: float = 1.0) -> Logistic:
    """A conditional logit: per question, a softmax over its candidates, fitted (L-BFGS, from zero: deterministic)
    to put the gold ones first, with an L2 penalty on the standardised weights."""
    from scipy.optimize import minimize

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    order = np.argsort(group, kind="stable")
    z, y, group = ((x - mean) / scale)[order].astype(np.float64), y[order], group[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[starts, len(group)])
    target = y / np.repeat(np.add.reduceat(y, starts), sizes)  # the gold candidates share the mass
    n = len(starts)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = z @ w
        top = np.repeat(np.maximum.reduceat(s, starts), sizes)
        e = np.exp(s - top)
        total = np.add.reduceat(e, starts)
        p = e / np.repeat(total, sizes)
        nll = -(target * (s - top - np.repeat(np.log(total), sizes))).sum()
        return (nll + 0.5 * l2 * w @ w) / n, (z.T @ (p - target) + l2 * w) / n

    w = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500}).x
    return Logistic(names, mean.astype(np.float32), scale.astype(np.float32), w.astype(np.float32), 0.0)


def _stack(parts: list[Rows]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ranker matrix, labels, question ids unique across the sets)"""
    x = np.concatenate([ordered(r) for r in parts])
    y = np.concatenate([r.y for r in parts]).astype(np.float64)
    group = np.concatenate([r.group + i * 1_000_000 for i, r in enumerate(parts)])
    return x, y, group


def fit_logistic(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], c: float = 1.0) -> Logistic:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit((x - mean) / scale, y)
    return Logistic(names, mean.astype(np.float32), scale.astype(np.float32), model.coef_[0].astype(np.float32),
                    float(model.intercept_[0]))


def top1(model: Logistic | None, rows: Rows) -> float:
    """Share of questions (with a gold sentence among the candidates) whose best-scored sentence holds the gold."""
    if not len(rows.y):
        return float("nan")
    scores = model.logit(ordered(rows)) if model is not None else -np.arange(len(rows.y), dtype=np.float32)  # hand order
    hits = []
    for g in np.unique(rows.group):
        idx = np.flatnonzero(rows.group == g)
        hits.append(rows.y[idx[np.argmax(scores[idx])]])
    return float(np.mean(hits))


def pick_threshold(model: Logistic, q: np.ndarray, answerable: np.ndarray, false_refusal: float) -> float:
    """The highest probability threshold that refuses at most ``false_refusal`` of the answerable questions."""
    p = model.probability(q)
    positives = np.sort(p[answerable == 1])
    if not len(positives):
        return 0.5
    return float(positives[int(np.floor(false_refusal * len(positives)))]) - 1e-6


def refusal_figures(model: Logistic, threshold: float, rows: Rows) -> dict:
    p = model.probability(rows.q)
    pos, neg = rows.answerable == 1, rows.answerable == 0
    return {"false_refusal": round(float((p[pos] < threshold).mean()), 4) if pos.any() else None,
            "refused_unanswerable": round(float((p[neg] < threshold).mean()), 4) if neg.any() else None,
            "answerable": int(pos.sum()), "unanswerable": int(neg.sum())}


def load_sets(data: Path, eval_dir: Path, drcd_docs: int) -> list[FitSet]:
    sets = [squad(data / "cmrc2018" / "cmrc2018_trial.json", "cmrc"),
            squad(data / "drcd" / "DRCD_dev.json", "drcd", drcd_docs)]
    if (eval_dir / "crud" / "queries.jsonl").exists():
        sets.append(beir(eval_dir / "crud", "crud", max_distractors=200))
    else:
        log.warning("no %s: CRUD left out (build it with python -m eval.datasets build)", eval_dir / "crud")
    return sets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.answer.fit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED, help="the public data folder (default ../shared/data)")
    parser.add_argument("--eval-dir", type=Path, default=Path(".cache/eval"), help="BEIR sets (for CRUD)")
    parser.add_argument("--work", type=Path, default=Path(".cache/answerfit"), help="indexes of the fitting sets")
    parser.add_argument("--drcd-docs", type=int, default=200, help="DRCD paragraphs to index (file order)")
    parser.add_argument("--max-false-refusal", type=float, default=0.02)
    parser.add_argument("--out", type=Path, default=PARAMS)
    parser.add_argument("--reuse", action="store_true", help="reuse the rows of an earlier run (same features)")
    parser.add_argument("--every", type=int, default=2, help="fit on every n-th question of each set (file order)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not (args.data / "cmrc2018").exists():
        print(f"no public data at {args.data}", file=sys.stderr)
        return 2
    start = time.time()
    sets = load_sets(args.data, args.eval_dir, args.drcd_docs)
    libs = {s.name: open_fit_index(s, args.work / s.name) for s in sets}
    rows = {s.name: cached(args.work / s.name / "rows.pkl", args.reuse,
                           lambda s=s: collect(libs[s.name], list(s.questions)[:: args.every]))
            for s in sets}
    # wrong corpus: each set's questions (a deterministic sample) against the next set's index
    foreign = {}
    for i, s in enumerate(sets):
        other = sets[(i + 1) % len(sets)].name
        sample = [qa for j, qa in enumerate(s.questions) if j % 4 == 0 and qa.answers][:80]
        foreign[s.name] = cached(args.work / s.name / "foreign.pkl", args.reuse,
                                 lambda other=other, sample=sample: collect(libs[other], sample, foreign=True))
        log.info("%s questions against the %s index: %d rows", s.name, other, len(foreign[s.name].q))
    report: dict[str, dict] = {}
    names = [s.name for s in sets]
    for held in names:
        train = [n for n in names if n != held]
        model = fit_listwise(*_stack([rows[n] for n in train]), RANKER_FEATURES)
        report[held] = {"top1_heldout": round(top1(model, rows[held]), 4), "top1_hand_weights": round(top1(None, rows[held]), 4),
                        "questions": rows[held].asked,
                        "gold_among_candidates": round(len(np.unique(rows[held].group)) / max(rows[held].asked, 1), 4)}
    sentence = fit_listwise(*_stack(list(rows.values())), RANKER_FEATURES)
    # the product's own seed questions: never fitted on, measured with the final ranker
    if (args.eval_dir / "seeds" / "queries.jsonl").exists():
        seeds = beir(args.eval_dir / "seeds", "seeds")
        seed_rows = cached(args.work / "seeds-beir" / "rows.pkl", args.reuse,
                           lambda: collect(open_fit_index(seeds, args.work / "seeds-beir"), list(seeds.questions)))
        report["seeds (not fitted on)"] = {"top1_fitted": round(top1(sentence, seed_rows), 4),
                                           "top1_hand_weights": round(top1(None, seed_rows), 4),
                                           "questions": seed_rows.asked}
    # the refusal score sees the fitted ranker's probabilities: recompute them on the question rows
    for r in [*rows.values(), *foreign.values()]:
        refresh_probabilities(r, sentence)
    q_rows = Rows(np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0),
                  np.concatenate([r.q for r in [*rows.values(), *foreign.values()]]),
                  np.concatenate([r.answerable for r in [*rows.values(), *foreign.values()]]), [])
    refusal = fit_logistic(q_rows.q, q_rows.answerable, QUESTION_FEATURES)
    threshold = pick_threshold(refusal, q_rows.q, q_rows.answerable, args.max_false_refusal)
    refusal = Logistic(refusal.features, refusal.mean, refusal.scale, refusal.coef, refusal.intercept, threshold)
    for n in names:
        both = Rows(rows[n].x, rows[n].y, rows[n].group, np.concatenate([rows[n].q, foreign[n].q]),
                    np.concatenate([rows[n].answerable, foreign[n].answerable]), [])
        report[n]["refusal"] = refusal_figures(refusal, threshold, both)
    params = {"sentence": sentence.to_json(), "refusal": refusal.to_json(),
              "provenance": {"sets": {s.name: SOURCES[s.name].format(n=args.drcd_docs) for s in sets},
                             "questions": f"one question in {args.every} of each set, file order; seeds measured, "
                                          "never fitted on",
                             "refusal": "answerable: a candidate holds the gold answer; must refuse: CRUD 无法推断 and up "
                                        "to 80 questions per set asked against the next set's index; threshold for "
                                        f"<= {args.max_false_refusal:.0%} false refusals over all sets (not held out)",
                             "command": "python -m rag.answer.fit", "held_out": report,
                             "model": Settings().model,
                             "rows": {n: int(len(r.y)) for n, r in rows.items()}}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(params, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"wrote {args.out} in {time.time() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
