"""Rank fusion on numbers you can check by hand, and the hybrid retriever over two fake retrievers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rag.index.fusion import Fusion, HybridRetriever, load_fusion, rrf, save_fusion, weighted
from rag.types import Chunk, Filters, Hit


def test_rrf_sums_reciprocal_ranks() -> None:
    # k=1: rank 1 -> 1/2, rank 2 -> 1/3.  a = 1/2, b = 1/3 + 1/2 = 5/6, c = 1/3
    fused = rrf([["a", "b"], ["b", "c"]], k=1)
    assert fused == pytest.approx({"a": 1 / 2, "b": 5 / 6, "c": 1 / 3})
    # the usual k=60: b, found by both, wins
    fused = rrf([["a", "b"], ["b", "c"]], k=60)
    assert fused == pytest.approx({"a": 1 / 61, "b": 1 / 62 + 1 / 61, "c": 1 / 62})
    assert max(fused, key=fused.get) == "b"


def test_rrf_weights_scale_each_run() -> None:
    # weights 2 and 1, k=1: a = 2/2 = 1, b = 2/3 + 1/2 = 7/6, c = 1/3
    assert rrf([["a", "b"], ["b", "c"]], k=1, weights=[2.0, 1.0]) == pytest.approx({"a": 1.0, "b": 7 / 6, "c": 1 / 3})


def test_rrf_of_nothing_is_empty() -> None:
    assert rrf([[], []]) == {}


def test_weighted_min_max_normalises_then_mixes() -> None:
    # run 1: a 10 -> 1, b 6 -> 0.5, c 2 -> 0;  run 2: c 0.8 -> 1, a 0.4 -> 0
    # a = 0.7*1 + 0.3*0 = 0.7, b = 0.7*0.5 = 0.35, c = 0.7*0 + 0.3*1 = 0.3
    fused = weighted([{"a": 10.0, "b": 6.0, "c": 2.0}, {"c": 0.8, "a": 0.4}], [0.7, 0.3])
    assert fused == pytest.approx({"a": 0.7, "b": 0.35, "c": 0.3})
    assert weighted([{"a": 2.0, "b": 1.0}, {"b": 0.9, "c": 0.5}], [0.5, 0.5]) == pytest.approx(
        {"a": 0.5, "b": 0.5, "c": 0.0})
    assert weighted([{}, {"a": 1.0, "b": 0.0}], [0.5, 0.5]) == pytest.approx({"a": 0.5, "b": 0.0})


def test_weighted_a_run_with_one_hit_counts_it_as_its_best() -> None:
    # BM25 finds one chunk (a rare name, say); dense ranks it second of three.
    # x = 0.5*1 + 0.5*(0.5-0.1)/(0.9-0.1) = 0.75, y = 0.5*1 = 0.5, z = 0 -> x first
    fused = weighted([{"x": 7.0}, {"y": 0.9, "x": 0.5, "z": 0.1}], [0.5, 0.5])
    assert fused == pytest.approx({"x": 0.75, "y": 0.5, "z": 0.0})


# ---------------------------------------------------------------- HybridRetriever


def _chunk(cid: str) -> Chunk:
    return Chunk(id=cid, article_id=cid.split(":")[0], n=0, text=f"正文{cid}", start=0, end=4, title=cid, heading=cid,
                 source="p.txt")


@dataclass
class FakeRetriever:
    name: str
    ranked: list[tuple[str, float]]
    calls: list[tuple[str, int, Filters | None]] = field(default_factory=list)

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        self.calls.append((query, k, filters))
        return [Hit(_chunk(cid), score, self.name) for cid, score in self.ranked[:k]]


def _pair() -> tuple[FakeRetriever, FakeRetriever]:
    return (FakeRetriever("bm25", [("a:0", 3.0), ("b:0", 1.0)]),
            FakeRetriever("dense", [("b:0", 0.8), ("c:0", 0.6)]))


def test_hybrid_rrf() -> None:
    bm25, dense = _pair()
    hybrid = HybridRetriever(bm25, dense, "rrf", rrf_k=60, weights=(0.5, 0.5), candidates=50)
    filters = Filters(districts=("通州区",))
    hits = hybrid.search("集体协商", k=2, filters=filters)
    # weights (0.5, 0.5) are doubled to 1 each: b = 1/61 + 1/62, a = 1/61 (c = 1/62 is cut by k=2)
    assert [(h.chunk_id, h.retriever) for h in hits] == [("b:0", "hybrid"), ("a:0", "hybrid")]
    assert [h.score for h in hits] == pytest.approx([1 / 61 + 1 / 62, 1 / 61])
    # both sides are asked for `candidates` hits, with the same query and filters
    assert bm25.calls == dense.calls == [("集体协商", 50, filters)]


def test_hybrid_weighted() -> None:
    bm25, dense = _pair()
    hybrid = HybridRetriever(bm25, dense, "weighted", weights=(0.3, 0.7), candidates=10)
    hits = hybrid.search("集体协商", k=5)
    # bm25 a 3 -> 1, b 1 -> 0; dense b 0.8 -> 1, c 0.6 -> 0:  b = 0.7, a = 0.3, c = 0
    assert [h.chunk_id for h in hits] == ["b:0", "a:0", "c:0"]
    assert [h.score for h in hits] == pytest.approx([0.7, 0.3, 0.0])


def test_hybrid_ties_break_by_chunk_id() -> None:
    hybrid = HybridRetriever(FakeRetriever("bm25", [("z:0", 1.0)]), FakeRetriever("dense", [("m:0", 0.5)]))
    assert [h.chunk_id for h in hybrid.search("q", k=5)] == ["m:0", "z:0"]  # both 1/61


# ---------------------------------------------------------------- query-dependent weights, stored choice


def test_margin_moves_weight_to_a_confident_bm25() -> None:
    # bm25 a 3, b 1: margin (3-1)/3 = 2/3; weight 0.3 + 0.6 * 2/3 = 0.7 against dense 0.7 -> (0.5, 0.5)
    bm25, dense = _pair()
    hybrid = HybridRetriever(bm25, dense, "margin", weights=(0.3, 0.7), margin_gain=0.6)
    assert hybrid.fusion.weights_for([3.0, 1.0]) == pytest.approx((0.5, 0.5))
    # a = 0.5*1, b = 0.5*0 + 0.5*1, c = 0: a and b tie at 0.5, the tie goes to the chunk id
    assert [(h.chunk_id, round(h.score, 6)) for h in hybrid.search("q", k=3)] == [("a:0", 0.5), ("b:0", 0.5),
                                                                                  ("c:0", 0.0)]
    # with no margin (bm25 unsure) it is plain weighted fusion
    assert Fusion("margin", weights=(0.3, 0.7), margin_gain=0.6).weights_for([2.0, 2.0]) == (0.3, 0.7)


def test_stored_fusion_is_used_unless_settings_name_one(tmp_path) -> None:
    from rag import Library, Settings

    lib = Library.open(Settings(index_dir=tmp_path, model="hash-256"))
    assert lib.fusion() == Fusion("rrf", 60, (0.5, 0.5))
    save_fusion(tmp_path, Fusion("weighted", weights=(0.8, 0.2)), {"chosen_on": "dev"})
    assert lib.fusion() == Fusion("weighted", weights=(0.8, 0.2))
    assert lib.retriever("hybrid").fusion == Fusion("weighted", weights=(0.8, 0.2))
    pinned = Library.open(Settings(index_dir=tmp_path, model="hash-256", rrf_k=10))
    assert pinned.fusion() == Fusion("rrf", 10, (0.5, 0.5))
    (tmp_path / "fusion.json").write_text("{not json", encoding="utf-8")
    assert load_fusion(tmp_path) is None  # a broken file falls back to the settings, with a warning
