"""Vectors for a synthetic corpus without encoding it: mixes of the seed sentences' real vectors.

Each seed sentence and seed heading is embedded once with the real model (cached on disk). A synthetic chunk's
vector is ``normalise(0.5 * heading + mean(sentences it contains) + noise)``, where heading and sentences are the
real vectors of the seeds they were made from and ``noise`` is Gaussian with norm ~``noise``; a sentence vector
(for the sentence table) is ``normalise(0.3 * heading + sentence + noise)``. Dense search over them costs what
it costs over real vectors; :func:`calibrate` reports how close the mix is to the real encoding of a sample.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from embeddings.base import Embedder
from rag.ingest.sentences import sentence_spans
from rag.types import Chunk

from .corpus import Seeds, SyntheticPage


def seed_vectors(embedder: Embedder, seeds: Seeds, cache_dir: Path) -> np.ndarray:
    """Real passage vectors of every seed sentence then every seed heading (``Seeds.texts_to_embed``)."""
    texts = seeds.texts_to_embed
    key = hashlib.sha1("\n".join([embedder.name, *texts]).encode()).hexdigest()[:12]
    path = Path(cache_dir) / f"seedvec-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = np.vstack([embedder.embed_documents(texts[i : i + 32]) for i in range(0, len(texts), 32)])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


class Mixer:
    def __init__(self, seeds: Seeds, vectors: np.ndarray, noise: float = 0.15, seed: int = 0) -> None:
        self.n_sentences = len(seeds.sentences)
        self.sentences = vectors[: self.n_sentences]
        self.headings = vectors[self.n_sentences :]
        self.noise = noise
        self.rng = np.random.default_rng(seed)
        self.dim = vectors.shape[1]

    def _noisy(self, rows: np.ndarray) -> np.ndarray:
        rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        rows = rows + self.rng.standard_normal(rows.shape).astype(np.float32) * (self.noise / np.sqrt(self.dim))
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)

    def chunks(self, chunks: Sequence[Chunk], page_of: Sequence[SyntheticPage]) -> np.ndarray:
        out = np.zeros((len(chunks), self.dim), np.float32)
        for i, (chunk, page) in enumerate(zip(chunks, page_of, strict=True)):
            ids = [page.sentence_seed.get(chunk.text[a:b]) for a, b in sentence_spans(chunk.text)]
            ids = [s for s in ids if s is not None]
            head = page.title_seed.get(chunk.title)
            vec = self.sentences[ids].mean(axis=0) if ids else np.zeros(self.dim, np.float32)
            if head is not None:
                vec = vec + 0.5 * self.headings[head]
            out[i] = vec if vec.any() else self.rng.standard_normal(self.dim)
        return self._noisy(out)

    def sentences_of(self, texts: Sequence[str], titles: Sequence[str], page_of: Sequence[SyntheticPage]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, (text, title, page) in enumerate(zip(texts, titles, page_of, strict=True)):
            sid = page.sentence_seed.get(text)
            head = page.title_seed.get(title)
            vec = self.sentences[sid].copy() if sid is not None else np.zeros(self.dim, np.float32)
            if head is not None:
                vec += 0.3 * self.headings[head]
            out[i] = vec if vec.any() else self.rng.standard_normal(self.dim)
        return self._noisy(out)


def calibrate(derived: np.ndarray, real: np.ndarray) -> dict:
    """Cosine of each derived vector with the real encoding of the same chunk."""
    cos = np.sum(derived * real, axis=1)
    return {"mean": round(float(cos.mean()), 4), "min": round(float(cos.min()), 4), "n": len(cos)}
