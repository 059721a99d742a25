"""Adapters that turn public data into evaluation sets: SQuAD files, the CRUD news archive, the seeds."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from eval.dataset import DatasetError, load_beir
from eval.datasets import build_crud, build_squad, crud_dataset, squad_dataset
from eval.datasets.common import answer_type, split_of
from eval.datasets.crud import KeyMatcher, split_doc

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

SQUAD = {"version": "v1", "data": [
    {"title": "运河", "paragraphs": [
        {"id": "P1", "context": "运河全长一千七百公里，始建于春秋时期。",
         "qas": [{"id": "Q1", "question": "运河全长多少？",
                  "answers": [{"text": "一千七百公里", "answer_start": 4}, {"text": "一千七百公里", "answer_start": 4},
                              {"text": "一千七百", "answer_start": 4}]}]},
        {"id": "P2", "context": "沿岸城市有杭州和扬州。",
         "qas": [{"id": "Q2", "question": "沿岸有哪座城市？", "answers": [{"text": "杭州", "answer_start": 5}]},
                 {"id": "Q3", "question": "运河有多少座桥？", "answers": [], "is_impossible": True}]}]},
    {"title": "茶", "paragraphs": [
        {"id": "P3", "context": "龍井茶產於杭州。",
         "qas": [{"id": "Q4", "question": "龍井茶產於哪裡？", "answers": [{"text": "杭州", "answer_start": 5}]},
                 {"id": "Q5", "question": "没有答案的问题", "answers": []}]}]}]}


def _squad(tmp_path: Path) -> Path:
    path = tmp_path / "Tiny_Set.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    return path


def test_squad_one_document_per_paragraph_with_all_gold_answers(tmp_path):
    ds = squad_dataset(_squad(tmp_path), "tiny")
    assert [(d.id, d.title) for d in ds.corpus.values()] == [("tiny-P1", "运河（1）"), ("tiny-P2", "运河（2）"),
                                                              ("tiny-P3", "茶")]
    assert sorted(ds.queries) == ["tiny-Q1", "tiny-Q2", "tiny-Q3", "tiny-Q4"]  # Q5 has no answer: skipped
    q1 = ds.queries["tiny-Q1"]
    assert (q1.answer, q1.alternatives, q1.type) == ("一千七百公里", ("一千七百",), "number")
    assert ds.queries["tiny-Q3"].expects_refusal
    judged = {qid: docs for qrels in ds.qrels.values() for qid, docs in qrels.items()}
    assert judged == {"tiny-Q1": {"tiny-P1": 1}, "tiny-Q2": {"tiny-P2": 1}, "tiny-Q4": {"tiny-P3": 1}}
    # a title's questions share one split, so dev tuning never sees a test paragraph
    assert ds.queries["tiny-Q1"].split == ds.queries["tiny-Q2"].split == split_of("运河")


def test_squad_rejects_other_json(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"rows": []}', encoding="utf-8")
    with pytest.raises(DatasetError, match="not SQuAD format"):
        squad_dataset(bad, "x")


def test_squad_build_is_cached_and_named_after_the_file(tmp_path):
    out = build_squad(_squad(tmp_path), out_root=tmp_path / "sets")
    assert out.name == "tiny_set"
    first = (out / "corpus.jsonl").stat().st_mtime_ns
    assert build_squad(_squad(tmp_path), out_root=tmp_path / "sets") == out
    assert (out / "corpus.jsonl").stat().st_mtime_ns == first
    assert len(load_beir(out).queries) == 4


def test_answer_types_and_splits():
    assert [answer_type(a) for a in ("1998年", "三个", "杭州", "")] == ["date", "number", "span", "unanswerable"]
    assert {split_of(f"g{i}") for i in range(50)} == {"dev", "test"}


def test_key_matcher_finds_overlapping_keys():
    assert KeyMatcher(["消费", "消费券", "券", "门店"]).find("发放消费券") == {"消费", "消费券", "券"}
    assert split_doc("[ 2023-07-28 16：40 ] ，正文：某地电") == ("2023-07-28", "某地电")
    assert split_doc("没有日期的一行") == ("", "没有日期的一行")


LINES = [
    "2023-08-01 10:00，正文：甲市体育局联合两家平台发放总额300万元的体育消费券，覆盖800多家门店。",
    "2023-08-02 11:00，正文：乙市体育局借助运动会契机发放惠民运动券，计划举办体育展会。",
    "2023-08-03 09:00，正文：转载：甲市体育局联合两家平台发放总额300万元的体育消费券，覆盖800多家门店。",
    "2023-08-04 12:00，正文：丙县今年粮食丰收，农民收入增加。",
    "2023-08-05 12:00，正文：丁区开通两条公交线路。",
    "2023-08-04 12:00，正文：丙县今年粮食丰收，农民收入增加。",  # an exact duplicate
]
EVENTS = {
    "e1": {"key_info": ["甲市体育局", "总额300万元的体育消费券", "800多家门店", "乙市体育局", "惠民运动券",
                        "体育展会"],
           "question": ["甲市发放的消费券总额是多少？", "乙市计划举办什么？", "消费券何时过期？", "哪里发的？"],
           "answers": ["300万元", "体育展会", "无法推断", "在甲市的东部"]},
    "e2": {"key_info": ["戊市", "地铁"], "question": ["戊市开通了什么？"], "answers": ["地铁"]},
}


def _crud(tmp_path: Path) -> tuple[Path, Path]:
    archive = tmp_path / "docs.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        for n, part in enumerate((LINES[:3], LINES[3:])):
            data = ("\n\n".join(part) + "\n").encode()
            info = tarfile.TarInfo(f"docs/part_{n}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    questions = tmp_path / "questions.json"
    questions.write_text(json.dumps(EVENTS, ensure_ascii=False), encoding="utf-8")
    return archive, questions


def test_crud_gold_documents_copies_distractors_and_refusals(tmp_path):
    ds, counts = crud_dataset(*_crud(tmp_path), distractors=1, progress=False)
    assert counts == {"events": 1, "gold_documents": 3, "distractors": 1, "answer_not_in_documents": 1,
                      "questions": 3, "unanswerable": 1}  # e2's key strings are not in the archive
    gold = {d.metadata["source"] for d in ds.corpus.values() if d.metadata["role"] == "gold"}
    assert gold == {"crud-0", "crud-1", "crud-2"}  # doc 2 republishes doc 0
    assert {d.metadata["source"] for d in ds.corpus.values()} - gold <= {"crud-3", "crud-4"}
    ids = {d.metadata["source"]: d.id for d in ds.corpus.values()}
    judged = {qid: docs for qrels in ds.qrels.values() for qid, docs in qrels.items()}
    assert judged == {"crud-e1-0": {ids["crud-0"]: 1, ids["crud-2"]: 1}, "crud-e1-1": {ids["crud-1"]: 1}}
    assert ds.queries["crud-e1-2"].expects_refusal and "crud-e1-3" not in ds.queries  # a paraphrased answer
    assert ds.corpus[ids["crud-1"]].metadata["date"] == "2023-08-02"
    assert ds.corpus[ids["crud-1"]].text.startswith("乙市体育局")


def test_crud_build_missing_input_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="missing input"):
        build_crud(tmp_path / "none.tar.xz", tmp_path / "none.json", out_root=tmp_path)


@pytest.mark.skipif(not DATA.is_dir(), reason=f"public data not found at {DATA}")
def test_real_cmrc_counts(tmp_path):
    ds = squad_dataset(DATA / "cmrc2018" / "cmrc2018_trial.json", "cmrc")
    assert len(ds.corpus) == 256 and len(ds.queries) >= 1000
    assert all(d.text for d in ds.corpus.values())
