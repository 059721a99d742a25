"""The offline evaluation (``python -m eval``): BEIR data, validation, metrics on hand-checkable runs, a fast run on a
tiny dataset with the hash embedder, and the quality gate on the seeds with the real model (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.__main__ import main
from eval.answer_metrics import answer_summary, refusal_counts
from eval.answers import AnswerRecord, gold_present
from eval.build_data import BEIR_DIR, build
from eval.dataset import Dataset, DatasetError, Document, Evidence, Query, load_beir, write_beir
from eval.metrics import evidence_per_query, ranx_per_query, summarise
from eval.run import EvalConfig, evaluate
from eval.runs import article_run
from eval.validate import validate
from rag import Library
from rag.types import Chunk, Hit

# ---------------------------------------------------------------- tiny data


def tiny() -> Dataset:
    """Three articles, three questions: two answerable (one per split), one that must be refused."""
    corpus = {
        "a1": Document("a1", "通州区工会集体协商大赛举办", "近日，通州区工会集体协商大赛决赛举办，8支代表队参赛。\n永顺镇总工会代表队荣获一等奖。"),
        "a2": Document("a2", "密云区工匠学院成立", "密云区总工会与首都经济贸易大学密云分校共同成立密云区工匠学院。"),
        "a3": Document("a3", "陶然亭街道总工会寒冬送暖", "陶然亭街道总工会开展免费领大葱活动，每位职工可领取大葱两盒。"),
    }
    queries = {
        "t1": Query("t1", "通州区集体协商大赛一等奖是哪个代表队？", "person", "test", "永顺镇总工会代表队",
                    evidence=(Evidence("永顺镇总工会代表队荣获一等奖", "a1"),)),
        "d1": Query("d1", "密云区工匠学院是和哪所学校共同成立的？", "lookup", "dev", "首都经济贸易大学",
                    evidence=(Evidence("首都经济贸易大学密云分校共同成立", "a2"),)),
        "u1": Query("u1", "上海市总工会今年冬天送了什么？", "unanswerable", "test", ""),
    }
    return Dataset("tiny", corpus, queries, {"test": {"t1": {"a1": 1}}, "dev": {"d1": {"a2": 1}}})


def chunk(article: str, n: int, text: str = "") -> Chunk:
    return Chunk(f"{article}:{n}", article, n, text, 0, len(text), "", "", "")


# ---------------------------------------------------------------- BEIR files


def test_beir_round_trip_and_splits(tmp_path: Path) -> None:
    write_beir(tiny(), tmp_path)
    assert (tmp_path / "qrels" / "test.tsv").read_text(encoding="utf-8").splitlines() == [
        "query-id\tcorpus-id\tscore", "t1\ta1\t1"]
    loaded = load_beir(tmp_path)
    assert loaded.corpus == tiny().corpus and loaded.queries == tiny().queries and loaded.qrels == tiny().qrels
    assert [q.id for q in loaded.queries_in("test")] == ["t1", "u1"]
    assert [q.id for q in loaded.queries_in("dev")] == ["d1"]
    assert loaded.qrels_for("all") == {"t1": {"a1": 1}, "d1": {"a2": 1}}
    assert loaded.queries["u1"].expects_refusal and not loaded.queries["t1"].expects_refusal


def test_plain_beir_without_metadata_loads(tmp_path: Path) -> None:
    (tmp_path / "qrels").mkdir()
    (tmp_path / "corpus.jsonl").write_text('{"_id": "d", "title": "T", "text": "正文"}\n', encoding="utf-8")
    (tmp_path / "queries.jsonl").write_text('{"_id": "q", "text": "问题"}\n', encoding="utf-8")
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq\td\t1\n", encoding="utf-8")
    ds = load_beir(tmp_path)
    q = ds.queries["q"]
    assert q.answer is None and not q.has_gold and [x.id for x in ds.queries_in("test")] == ["q"]
    validate(ds)


def test_missing_files_say_what_is_expected(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="corpus.jsonl"):
        load_beir(tmp_path)


def test_committed_beir_files_match_the_questions_and_seeds(tmp_path: Path) -> None:
    write_beir(build(), tmp_path)
    for rel in ["corpus.jsonl", "queries.jsonl", "qrels/dev.tsv", "qrels/test.tsv"]:
        assert (tmp_path / rel).read_bytes() == (BEIR_DIR / rel).read_bytes(), (
            f"eval/data/beir/{rel} is stale: run `python -m eval.build_data`")


# ---------------------------------------------------------------- validation


def test_validation_passes_on_the_committed_data() -> None:
    validate(load_beir(BEIR_DIR))


def test_validation_catches_a_missing_evidence_string() -> None:
    ds = tiny()
    ds.queries["t1"] = Query("t1", "?", evidence=(Evidence("海淀区代表队荣获一等奖", "a1"),))
    with pytest.raises(DatasetError, match=r"t1: evidence '海淀区代表队荣获一等奖' is not in article a1"):
        validate(ds)


def test_validation_compares_after_nfkc() -> None:
    ds = tiny()
    ds.queries["t1"] = Query("t1", "?", evidence=(Evidence("近日,通州区工会", "a1"),))  # half-width comma
    validate(ds)


def test_validation_catches_an_unknown_article_in_qrels() -> None:
    ds = tiny()
    ds.qrels["test"]["t1"] = {"a9": 1}
    with pytest.raises(DatasetError, match="query t1 names unknown article 'a9'"):
        validate(ds)


def test_validation_catches_an_index_without_the_judged_articles() -> None:
    with pytest.raises(DatasetError, match="python -m eval.build_data"):
        validate(tiny(), article_ids={"a1", "a3"})


def test_validate_cli_exit_codes(tmp_path: Path, capsys) -> None:
    from eval.validate import main as validate_main

    ds = tiny()
    ds.qrels["test"]["t1"] = {"a9": 1}
    write_beir(ds, tmp_path)
    assert validate_main(["--dataset", str(tmp_path)]) == 1
    assert "unknown article 'a9'" in capsys.readouterr().err


# ---------------------------------------------------------------- metrics, by hand


def test_ranx_metrics_on_a_hand_checkable_run() -> None:
    """q1: relevant article first (RR 1); q2: relevant second (RR 1/2); MRR = 0.75, hit@1 = 0.5, hit@5 = 1."""
    hits = {
        "q1": [Hit(chunk("a", 0), 0.9), Hit(chunk("b", 0), 0.5), Hit(chunk("a", 1), 0.4)],
        "q2": [Hit(chunk("a", 0), 0.9), Hit(chunk("a", 1), 0.8), Hit(chunk("b", 0), 0.7)],
    }
    run = article_run(hits)
    assert list(run["q2"]) == ["a", "b"]  # chunks of one article collapse to its best, in rank order
    per_query = ranx_per_query({"q1": {"a": 1}, "q2": {"b": 1}}, run, ["mrr@10", "hit_rate@1", "hit_rate@5"])
    assert per_query["mrr@10"] == {"q1": 1.0, "q2": 0.5}
    summary = summarise(per_query, {"q1": "person", "q2": "number"})
    assert summary["overall"]["mrr@10"] == 0.75
    assert summary["overall"]["hit_rate@1"] == 0.5 and summary["overall"]["hit_rate@5"] == 1.0
    assert summary["by_type"]["number"] == {"mrr@10": 0.5, "hit_rate@1": 0.0, "hit_rate@5": 1.0, "n": 1}


def test_evidence_metrics_need_the_string_in_a_top_chunk_of_its_article() -> None:
    q = Query("q", "?", type="list", items=("x", "y"),
              evidence=(Evidence("一等奖", "a"), Evidence("两盒", "b")))
    hits = {"q": [Hit(chunk("c", 0, "荣获一等奖"), 1.0), Hit(chunk("a", 0, "荣获一等奖"), 0.9),
                  Hit(chunk("b", 0, "领取大葱两盒"), 0.8)]}
    out = evidence_per_query([q], hits, ks=(1, 2))
    assert out["evidence_hit@1"] == {"q": 0.0}  # "c" says 一等奖 too, but it is not the evidence's article
    assert out["evidence_hit@2"] == {"q": 1.0}
    assert out["list_evidence_recall@10"] == {"q": 1.0}
    assert evidence_per_query([q], {"q": hits["q"][:2]})["list_evidence_recall@10"] == {"q": 0.5}


def test_gold_facts_and_refusal_counts() -> None:
    assert gold_present("由首都经济贸易大学[1]密云分校", Query("q", "?", answer="首都经济贸易大学密云分校"))
    assert gold_present("通州区、昌平区", Query("q", "?", answer="", items=("通州区", "昌平区")))
    assert not gold_present("通州区", Query("q", "?", answer="", items=("通州区", "昌平区")))
    queries = {"u": Query("u", "?", answer=""), "a": Query("a", "?", answer="x"), "b": Query("b", "?", answer="y")}

    def rec(qid: str, coverage: float, gold: bool | None) -> AnswerRecord:
        return AnswerRecord(qid, True, "x", True, coverage, True, 1.0, gold, True, (), "?", 1, 0.1)

    records = [rec("u", 0.3, None), rec("a", 0.45, True), rec("b", 0.9, True)]
    assert refusal_counts(records, queries, 0.0)["refusal_recall"] == 0.0
    at_half = refusal_counts(records, queries, 0.5)  # refuses u (right) and a (wrong)
    assert at_half["refusal_recall"] == 1.0 and at_half["refusal_precision"] == 0.5
    assert at_half["false_refusal_rate"] == 0.5
    assert answer_summary(records, queries, 0.5)["gold_fact_rate"] == 0.5


def test_span_right_counts_the_span_leading_a_right_answer() -> None:
    queries = {q: Query(q, "?", answer="北魏宣武帝") for q in "abcd"}

    def rec(qid: str, text: str, short: str | None) -> AnswerRecord:
        return AnswerRecord(qid, True, text, True, 1.0, True, 1.0, gold_present(text, queries[qid]), True, (), "?",
                            1, 0.1, short)

    records = [rec("a", "北魏宣武帝[1]。…[1]", "北魏宣武帝"),
               rec("b", "宣武帝[1]。高英是北魏宣武帝的皇后。[1]", "宣武帝"),  # part of the gold: right
               rec("c", "尼姑[1]。高英是北魏宣武帝的皇后。[1]", "尼姑"),  # the sentence holds it, the span does not
               rec("d", "高英是北魏宣武帝的皇后。[1]", None)]  # no span: not judged
    assert answer_summary(records, queries, 0.0)["short_answer_right"] == 2 / 3


# ---------------------------------------------------------------- a whole run, fast


def test_cli_on_a_tiny_beir_dataset_with_the_hash_embedder(tmp_path: Path, capsys) -> None:
    write_beir(tiny(), tmp_path / "data")
    code = main(["--dataset", str(tmp_path / "data"), "--model", "hash-256", "--index-dir", str(tmp_path / "index"),
                 "--out", str(tmp_path / "out"), "--split", "all", "-q"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "hybrid-rrf *" in out and "refusal recall" in out
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["index"]["articles"] == 3
    assert report["retrieval"]["bm25"]["overall"]["mrr@10"] == 1.0
    assert set(report["comparison"]["p_values"]["bm25"]) == {"dense", "hybrid-rrf", "hybrid-weighted"}
    assert report["tuning"]["weighted"]["weights"] and report["tuning"]["rrf"]["k"]
    assert report["answers"]["n"] == 3 and len(report["answers"]["sweep"]) >= 21
    for png in ["metrics_by_retriever.png", "recall_at_k.png", "refusal_tradeoff.png"]:
        assert (tmp_path / "out" / png).read_bytes()[:4] == b"\x89PNG"
    for line in (tmp_path / "out" / "failures.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert row["failed"] and "top5_titles" in row["got"]


def test_cli_rejects_a_dataset_that_fails_validation(tmp_path: Path, capsys) -> None:
    ds = tiny()
    ds.qrels["test"]["t1"] = {"a9": 1}
    write_beir(ds, tmp_path)
    assert main(["--dataset", str(tmp_path), "--model", "hash-256", "-q"]) == 1
    assert "unknown article 'a9'" in capsys.readouterr().err


# ---------------------------------------------------------------- the gate: seeds, real model (slow)


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory: pytest.TempPathFactory, real_library: Library) -> dict:
    """One evaluation of every question on the seeds with the default model, over the session's real index
    (built once, read-only here: the evaluation opens its own library on the same directory)."""
    out = tmp_path_factory.mktemp("eval") / "out"
    config = EvalConfig(split="all", out=out, index_dir=real_library.index_dir, progress=False,
                        settings={"cache_dir": real_library.settings.cache_dir})
    return evaluate(config)


@pytest.mark.slow
def test_gate_retrieval_on_the_seeds(seeds_report: dict) -> None:
    hybrid = seeds_report["retrieval"]["hybrid-rrf"]["overall"]
    measured = f"hybrid evidence hit@5 = {hybrid['evidence_hit@5']:.3f}, MRR@10 = {hybrid['mrr@10']:.3f}"
    assert hybrid["evidence_hit@5"] >= 0.95 and hybrid["mrr@10"] >= 0.85, f"retrieval gate failed: {measured}"


@pytest.mark.slow
def test_gate_answers_on_the_seeds(seeds_report: dict) -> None:
    answers = seeds_report["answers"]
    rate = answers["gold_fact_rate"]
    assert rate >= 0.85, (f"answer gate failed: gold-fact rate = {rate:.3f} (< 0.85) over the answerable questions; "
                          f"see {seeds_report['files']['failures']}")
    assert answers["answers_with_unsupported_markers"] == 0, "an answer carries an unsupported [n] marker"


@pytest.mark.slow
def test_seeds_report_is_complete(seeds_report: dict) -> None:
    assert set(seeds_report["retrieval"]) == {"bm25", "dense", "hybrid-rrf", "hybrid-weighted"}
    assert seeds_report["tuning"]["weighted"]["test_fused"]["mrr@10"] is not None
    for path in seeds_report["files"].values():
        assert Path(path).stat().st_size > 0


@pytest.mark.slow
def test_threshold_sweep_agrees_with_a_real_run(seeds_report: dict, real_library: Library) -> None:
    """The sweep derives refusals from one threshold-free run; asking again at the configured threshold must agree
    (this breaks if the composer changes how the threshold is applied without reporting it in ``extra``).

    Only the answers the threshold could decide are asked again: those near it, and those it should not gate."""
    from rag.answer import answer

    dataset = load_beir(BEIR_DIR)
    report = json.loads(Path(seeds_report["files"]["report"]).read_text(encoding="utf-8"))
    threshold = real_library.settings.refusal_threshold
    disagree, asked = [], 0
    for row in report["answer_records"]:
        if not row["with_history"]:
            continue
        record = AnswerRecord(**{**row, "problems": tuple(row["problems"])})
        if not record.answered or (record.gated and abs(record.coverage - threshold * record.scale) > 0.15):
            continue
        q = dataset.queries[record.qid]
        refused = not answer(real_library, q.text, history=list(q.history) or None).answerable
        asked += 1
        if refused != record.refused_at(threshold):
            disagree.append(f"{q.id} (coverage {record.coverage}, gated {record.gated}, scale {record.scale})")
    assert asked, "no answer near the threshold: nothing was checked"
    assert not disagree, f"sweep and real run disagree at threshold {threshold}: {', '.join(disagree)}"
