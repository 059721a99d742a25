"""Index structures for scale: exact search, the approximate index and its recall tuning, incremental snapshots,
compact tokens, the vectorised BM25 build and the document frequencies read off it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import bm25s
import faiss
import numpy as np
import pytest

from rag.index import ann
from rag.index._tokentable import TokenTable
from rag.index.ann import AnnParams, ExactIP, recall_at_k
from rag.index.bm25 import build_bm25, build_bm25_from_ids, doc_freqs
from rag.index.snapshot import Index, IndexMeta
from rag.types import Chunk

DIM = 16


def clustered(n: int, seed: int = 0) -> np.ndarray:
    """Unit vectors around 20 centres (like embeddings of news on a few topics)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, DIM))
    x = centres[rng.integers(0, 20, n)] + 0.3 * rng.standard_normal((n, DIM))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_exact_ip_is_best_first_with_ties_by_row() -> None:
    vectors = np.array([[1, 0], [0, 1], [1, 0], [0.6, 0.8]], np.float32)
    scores, ids = ExactIP(vectors).search(np.array([[1, 0]], np.float32), 3)
    assert ids.tolist() == [[0, 2, 3]]
    assert scores[0].tolist() == pytest.approx([1.0, 1.0, 0.6])
    assert ExactIP(vectors).search(np.array([[0, 1]], np.float32), 10)[1].tolist() == [[1, 3, 0, 2]]


def test_exact_ip_matches_faiss_flat() -> None:
    x, q = clustered(500), clustered(20, seed=1)
    flat = faiss.IndexFlatIP(DIM)
    flat.add(x)
    assert recall_at_k(ExactIP(x).search(q, 10)[1], flat.search(q, 10)[1], 10) == 1.0


def test_recall_at_k_by_hand() -> None:
    assert recall_at_k(np.array([[1, 2, 3]]), np.array([[3, 4, 1]]), 3) == pytest.approx(2 / 3)


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_tune_reaches_the_target_recall(kind: str) -> None:
    x = clustered(3000)
    index = ann.build(x, AnnParams(kind=kind, nlist=32))
    report = ann.tune(index, x, target=0.98)
    assert report["sweep"][-1]["recall"] >= 0.98
    assert ann.get_knob(index) == report["knob"]
    _, truth = ExactIP(x).search(ann.sample_queries(x, seed=5), 10)
    _, found = index.search(ann.sample_queries(x, seed=5), 10)
    assert recall_at_k(found, truth) >= 0.95


def test_extended_copies_and_leaves_the_old_index_alone() -> None:
    x = clustered(2000)
    index = ann.build(x[:1500], AnnParams(kind="ivf", nlist=16, nprobe=16))
    bigger = ann.extended(index, x[1500:])
    assert (index.ntotal, bigger.ntotal, bigger.nprobe) == (1500, 2000, 16)
    _, ids = bigger.search(x[1800:1801], 1)
    assert ids[0, 0] == 1800  # new vectors are found under their row numbers


def meta(dim: int = DIM) -> IndexMeta:
    return IndexMeta("test", dim, 350, 60, "tok")


def chunks_for(n: int, start: int = 0) -> list[Chunk]:
    return [Chunk(f"a{i}:0", f"a{i}", 0, f"t{i}", 0, 2, f"T{i}", f"T{i}", "p.txt") for i in range(start, start + n)]


def test_index_switches_to_ann_above_the_threshold_and_grows_without_rebuilding() -> None:
    x = clustered(1200)
    tokens = [["工会", f"w{i % 7}"] for i in range(1200)]
    small = Index(meta(), {}, chunks_for(900), tokens[:900], x[:900], ann_threshold=1000,
                  ann_params=AnnParams(kind="ivf", nlist=16))
    assert isinstance(small.ann, ExactIP) and small.ann_tuning is None
    grown = small.with_articles([], chunks_for(200, 900), tokens[900:1100], x[900:1100])
    assert isinstance(grown.ann, faiss.IndexIVF) and grown.ann_tuning["sweep"][-1]["recall"] >= 0.98
    again = grown.with_articles([], chunks_for(100, 1100), tokens[1100:], x[1100:])
    assert again.ann is not grown.ann and again.ann.ntotal == 1200 and grown.ann.ntotal == 1100
    assert again.ann_tuning is None  # extended, not rebuilt
    assert again.tokens == tokens and len(again) == 1200


def test_token_table_round_trips_and_takes_rows() -> None:
    rows = [["工会", "职工"], [], ["职工", "职工", "集体协商"]]
    table = TokenTable.from_lists(rows)
    assert table == rows and list(table) == rows and table[2] == rows[2] and table[-1] == rows[-1]
    assert table.taken(np.array([2, 0])) == [rows[2], rows[0]]
    more = table.appended([["新词"]])
    assert more == [*rows, ["新词"]] and table == rows and more.vocab is table.vocab


def test_vectorised_bm25_equals_bm25s() -> None:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    rows = [[words[j] for j in rng.zipf(1.5, rng.integers(1, 30)) % 40] for _ in range(300)]
    ours = build_bm25_from_ids(TokenTable.from_lists(rows))
    ref = bm25s.BM25()
    ref.index(rows, show_progress=False)
    for query in (["w1"], ["w2", "w7"], ["w0", "w3", "w39"]):
        np.testing.assert_allclose(ours.get_scores(query), ref.get_scores(query), rtol=1e-5, atol=1e-6)
    # counted in blocks of 7 documents (an empty one among them): the same matrix, bit for bit
    rows[8] = []
    whole, blocks = (build_bm25_from_ids(TokenTable.from_lists(rows), block=n) for n in (1000, 7))
    for key in ("data", "indices", "indptr"):
        assert np.array_equal(whole.scores[key], blocks.scores[key]), key
    ptr, rows_of = whole.scores["indptr"], whole.scores["indices"]
    assert rows_of.dtype == np.int32
    assert all(np.all(np.diff(rows_of[ptr[j]:ptr[j + 1]]) > 0) for j in range(len(ptr) - 1))  # CSC, rows ascending


def test_bm25_matrix_equals_a_reference_built_column_by_column() -> None:
    """The two-pass builder against the textbook loop: score every (document, token) in float32, column by column."""
    rng = np.random.default_rng(1)
    vocab_rows = [[f"w{j}" for j in rng.integers(0, 60, rng.integers(0, 25))] for _ in range(97)]
    vocab_rows[0] = ["只在首行", "w1"]
    table = TokenTable.from_lists(vocab_rows).taken(np.arange(1, 97))  # the first row's words stay in the vocab
    rows, n_vocab = list(table), len(table.vocab)
    lengths = np.array([len(r) for r in rows])  # integers: the mean and ratios in float64, as bm25s
    df = np.zeros(n_vocab, np.int64)
    for r in rows:
        df[[table.vocab.ids[t] for t in set(r)]] += 1
    idf = np.log(1 + (len(rows) - df + 0.5) / (df + 0.5)).astype(np.float32)
    norm = (1.5 * ((1 - 0.75) + 0.75 * lengths / lengths.mean())).astype(np.float32)
    data, indices, indptr = [], [], [0]
    for col in range(n_vocab):
        word = table.vocab.words[col]
        for d, r in enumerate(rows):
            if (tf := np.float32(r.count(word))) > 0:
                data.append(idf[col] * tf / (tf + norm[d]))
                indices.append(d)
        indptr.append(len(data))
    for block in (4096, 7, 1):
        built = build_bm25_from_ids(table, block=block).scores
        assert np.array_equal(built["data"], np.array(data, np.float32)), block
        assert np.array_equal(built["indices"], indices) and np.array_equal(built["indptr"], indptr), block
    assert 0 in df  # a column no document uses: empty, not skipped


def test_doc_freqs_by_hand_and_index_df() -> None:
    rows = [["工会", "职工", "职工"], ["职工"], ["集体协商"]]
    assert doc_freqs(build_bm25(TokenTable.from_lists(rows))) == {"工会": 1, "职工": 2, "集体协商": 1}
    index = Index(meta(), {}, chunks_for(3), rows, clustered(3))
    expected: Counter[str] = Counter()
    for r in rows:
        expected.update(set(r))
    assert index.df == expected
    assert Index.empty(meta()).df == Counter()


def test_without_keeps_tokens_and_vectors_in_line(tmp_path: Path) -> None:
    x = clustered(4)
    index = Index(meta(), {}, chunks_for(4), [["a"], ["b"], ["c"], ["d"]], x)
    smaller = index.without(["a1", "a2"])
    assert smaller.tokens == [["a"], ["d"]] and np.array_equal(smaller.vectors, x[[0, 3]])
    assert smaller.df == Counter({"a": 1, "d": 1})
