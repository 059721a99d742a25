"""The evaluation suite: samples, fusion chosen on dev by replaying the hybrid, and ``python -m eval --squad FILE``
end to end on a SQuAD file the project has never seen (cheap test embedder)."""

from __future__ import annotations

import json

import pytest

from eval.__main__ import main
from eval.dataset import Dataset, Document, Query
from eval.fusion_select import fused_hits, select_fusion
from eval.sample import sample
from rag.index.fusion import Fusion, load_fusion
from rag.types import Chunk, Hit


def _hit(doc: str, score: float) -> Hit:
    return Hit(Chunk(f"{doc}:0", doc, 0, "", 0, 0, doc, "", ""), score)


def test_fusion_chosen_on_dev_follows_the_better_side():
    # BM25 ranks the right article first for both questions, dense puts a wrong one first.
    chunks = {"bm25": {"q1": [_hit("a", 2.0), _hit("c", 1.5), _hit("e", 1.0)],
                       "q2": [_hit("b", 2.0), _hit("c", 1.5), _hit("e", 1.0)]},
              "dense": {"q1": [_hit("c", 0.9), _hit("d", 0.8), _hit("a", 0.7)],
                        "q2": [_hit("c", 0.9), _hit("d", 0.8), _hit("b", 0.7)]}}
    dev = {"q1": {"a": 1}, "q2": {"b": 1}}
    # RRF k=60: a = 1/61 + 1/63 < c = 1/62 + 1/61, so c first: Hit@1 0
    assert [h.article_id for h in fused_hits(Fusion("rrf", 60), chunks["bm25"]["q1"], chunks["dense"]["q1"], 50)][0] \
        == "c"
    # weighted (w, 1-w), min-max: a = w, c = 0.5 w + (1 - w): a first once w > 2/3; 0.7 is the first candidate
    choice = select_fusion(dev, chunks, 50)
    assert choice["label"] == "weighted 0.7/0.3"
    assert choice["dev"] == {"hit_rate@1": 1.0, "mrr@10": 1.0}
    assert {r["fusion"]: r["hit_rate@1"] for r in choice["ranking"]}["dense alone"] == 0.0


def test_sample_keeps_the_documents_its_questions_need():
    corpus = {f"d{i}": Document(f"d{i}", "", f"正文{i}") for i in range(10)}
    queries = {f"q{i}": Query(f"q{i}", "?", split="test" if i < 4 else "dev", answer="x") for i in range(6)}
    qrels = {"test": {f"q{i}": {f"d{i}": 1} for i in range(4)}, "dev": {"q4": {"d4": 1}, "q5": {"d5": 1}}}
    small = sample(Dataset("t", corpus, queries, qrels), limit=2, docs=5, seed=1)
    assert len(small.queries_in("test")) == 2 and len(small.queries_in("dev")) == 2
    needed = {d for q in small.qrels.values() for docs in q.values() for d in docs}
    assert len(needed) == 4 and needed <= set(small.corpus) and len(small.corpus) == 5
    assert sample(Dataset("t", corpus, queries, qrels), 2, 5, seed=1) == small  # seeded


PARAS = [
    ("西湖", "西湖位于杭州市西部，湖面面积约六点三九平方公里，是著名的风景名胜区。", "西湖的湖面面积约是多少？", "六点三九平方公里"),
    ("长城", "长城东起山海关，西至嘉峪关，修建历史可以追溯到春秋战国时期。", "长城西边到哪里？", "嘉峪关"),
    ("黄河", "黄河发源于青海省巴颜喀拉山脉，注入渤海，全长约五千四百六十四公里。", "黄河注入哪里？", "渤海"),
    ("故宫", "故宫旧称紫禁城，建成于明朝永乐十八年，是明清两代的皇家宫殿。", "故宫旧称什么？", "紫禁城"),
    ("泰山", "泰山位于山东省泰安市，主峰玉皇顶海拔一千五百四十五米。", "泰山主峰叫什么？", "玉皇顶"),
    ("敦煌", "敦煌莫高窟始建于十六国的前秦时期，保存有大量壁画和彩塑。", "莫高窟保存有什么？", "壁画和彩塑"),
]


def test_suite_on_a_squad_file_never_seen(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = [{"title": t, "paragraphs": [{"id": f"p{i}", "context": c, "qas": [
        {"id": f"q{i}", "question": q, "answers": [{"text": a, "answer_start": c.index(a)}]}]}]}
        for i, (t, c, q, a) in enumerate(PARAS)]
    path = tmp_path / "Unseen.json"
    path.write_text(json.dumps({"data": data}, ensure_ascii=False), encoding="utf-8")
    assert main(["--squad", str(path), "--model", "hash-256", "--out", str(tmp_path / "out"), "-q"]) == 0
    report = json.loads((tmp_path / "out" / "suite" / "report.json").read_text(encoding="utf-8"))
    unseen = report["sets"]["unseen"]
    assert set(unseen["retrievers"]) == {"bm25", "dense", "hybrid"}
    assert {"hit@1", "hit@5", "mrr@10", "ndcg@10"} <= set(unseen["retrievers"]["hybrid"])
    assert {"gold", "false_refusals", "answer_chars_median", "ask_p50_ms", "ask_p95_ms"} <= set(unseen["answers"])
    assert unseen["index"]["how"].startswith("readers")  # ingested through the product's readers
    assert (tmp_path / "out" / "suite" / "unseen" / "failures.jsonl").exists()
    index_dirs = list((tmp_path / ".cache" / "eval" / "unseen" / "index").iterdir())
    assert load_fusion(index_dirs[0]).label() == unseen["fusion"]  # stored with the index for Library.search


def test_one_changed_query_of_fifteen_is_not_significant():
    # ranx's Fisher test said p = 0.0 here: it compares float means with >=, and the permuted mean of the same
    # numbers summed in another order came out a hair smaller every time. Sign flips: the one nonzero difference
    # is as extreme flipped as not, p = 1.
    from eval.significance import compare_runs

    qrels = {f"q{i}": {f"d{i}": 1} for i in range(15)}

    def run(ranks: list[int]) -> dict:
        return {f"q{i}": {**{f"x{j}": 10.0 - j for j in range(r - 1)}, f"d{i}": 10.0 - (r - 1)}
                for i, r in enumerate(ranks)}

    base = [2, 1, 1, 1, 4, 2, 3, 1, 4, 4, 1, 1, 4, 1, 1]
    worse = list(base)
    worse[5] = 3  # rank 2 -> 3: MRR 1/2 -> 1/3 on one query
    result = compare_runs(qrels, {"a": run(worse), "b": run(base)}, ["mrr@10"])
    assert result["p_values"]["a"]["b"]["mrr@10"] == 1.0
    assert result["scores"]["b"]["mrr@10"] - result["scores"]["a"]["mrr@10"] == pytest.approx((1 / 2 - 1 / 3) / 15,
                                                                                              abs=1e-4)
