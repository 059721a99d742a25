"""Passage vectors for an ingest batch: chunks and sentences, in batches of similar length, with a progress bar."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tqdm import tqdm

from embeddings.base import Embedder
from rag.ingest.sentences import sentence_text
from rag.types import Article, Chunk, SentenceKey

from .sentvec import SentenceTable


def length_batches(lengths: Sequence[int], max_chars: int, max_texts: int = 256) -> list[list[int]]:
    """Indices of texts in model batches: all texts sorted by length (across the whole call), cut so that a batch's
    padded size (its count × its longest text) stays within ``max_chars`` and its count within ``max_texts``.
    Short texts (sentences) then share few, wide forward passes and long ones (chunks) pad little.

    >>> length_batches([5, 100, 6, 90, 7], max_chars=200)
    [[0, 2, 4], [3, 1]]
    >>> length_batches([500], max_chars=200)   # a text longer than the budget gets a batch of its own
    [[0]]
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:  # ascending: the text being added is the longest so far
        if current and ((len(current) + 1) * lengths[i] > max_chars or len(current) >= max_texts):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def embed_texts(embedder: Embedder, texts: Sequence[str], batch_size: int = 16, progress: bool = True,
                desc: str = "embedding", batch_chars: int | None = None) -> np.ndarray:
    """Passage vectors, with a progress bar. Texts go to the model in batches of similar length
    (:func:`length_batches`) of at most ``batch_chars`` padded characters (default: ``batch_size`` texts of 1,024
    characters); the vectors come back in the order of ``texts``."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    prompt = len(embedder.passage_prompt)
    budget = batch_chars or batch_size * 1024
    bar = tqdm(total=len(texts), desc=desc, unit="text", disable=not progress or not texts)
    for rows in length_batches([prompt + len(t) for t in texts], budget):
        out[rows] = embedder.embed_documents([texts[i] for i in rows], batch_size=len(rows))
        bar.update(len(rows))
    bar.close()
    return out


def embed_chunks(embedder: Embedder, chunks: Sequence[Chunk], batch_size: int = 16, progress: bool = True) -> np.ndarray:
    """Passage vectors for chunks (heading + text)."""
    return embed_texts(embedder, [c.indexed_text for c in chunks], batch_size, progress, "embedding chunks")


def embed_sentences(embedder: Embedder, articles: Sequence[Article], keys: Sequence[SentenceKey],
                    batch_size: int = 16, progress: bool = True) -> SentenceTable:
    by_id = {a.id: a for a in articles}
    texts = [sentence_text(by_id[aid], a, b) for aid, a, b in keys]
    return SentenceTable.of(keys, embed_texts(embedder, texts, batch_size, progress, "embedding sentences"))
