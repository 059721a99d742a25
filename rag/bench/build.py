"""Build a synthetic index of N chunks: ingest-stage throughput on a sample, then the whole corpus (its vectors
derived, see :mod:`rag.bench.vectors`), saved as a normal index directory."""

from __future__ import annotations

import itertools
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.base import Embedder
from rag.config import Settings
from rag.index import store
from rag.index.ann import params_from_settings
from rag.index.embed import embed_chunks, embed_sentences
from rag.index.sentvec import SentenceTable
from rag.index.snapshot import Index, IndexMeta
from rag.ingest.chunking import chunk_article
from rag.ingest.parse import parse_page
from rag.ingest.sentences import article_sentences
from rag.ingest.tokenize import Tokenizer
from rag.library import Library

from .corpus import Seeds, generate_pages
from .fasttok import MemoTokenizer
from .timing import Timer, peak_rss_mb, rate_runs
from .vectors import Mixer, calibrate

log = logging.getLogger(__name__)


@dataclass
class Corpus:
    articles: list
    chunks: list
    tokens: list
    page_of: list  # the SyntheticPage each chunk came from
    pages: int


def make_corpus(seeds: Seeds, n_chunks: int, tokenizer, settings: Settings, seed: int = 1) -> Corpus:
    """Pages from the generator, through the real parser and chunker, until ``n_chunks`` chunks (deduplicated)."""
    corpus = Corpus([], [], [], [], 0)
    seen: set[str] = set()
    for page in generate_pages(seeds, seed):
        corpus.pages += 1
        for article in parse_page(page.text, page.page.source):
            if article.id in seen:
                continue
            seen.add(article.id)
            corpus.articles.append(article)
            for chunk in chunk_article(article, settings.chunk_size, settings.chunk_overlap):
                corpus.chunks.append(chunk)
                corpus.tokens.append(tokenizer(chunk.indexed_text))
                corpus.page_of.append(page)
        if len(corpus.chunks) >= n_chunks:
            return corpus
    raise AssertionError("unreachable")


def sentence_table(corpus: Corpus, mixer: Mixer) -> SentenceTable:
    keys, texts, titles, pages = [], [], [], []
    page_of_article = {}
    for chunk, page in zip(corpus.chunks, corpus.page_of, strict=True):
        page_of_article.setdefault(chunk.article_id, page)
    for article in corpus.articles:
        for key in article_sentences(article):
            keys.append(key)
            texts.append(article.body[key[1] : key[2]])
            titles.append(article.title)
            pages.append(page_of_article[article.id])
    return SentenceTable.of(keys, mixer.sentences_of(texts, titles, pages))


def stage_rates(seeds: Seeds, embedder: Embedder, tokenizer: Tokenizer, settings: Settings, runs: int,
                sample_chunks: int = 300, embed_sample: int = 48) -> dict:
    """Chunks per second of each ingest stage, and of a whole ingest, over the real code on synthetic pages.

    The cheap stages run over ``sample_chunks``; the model-bound ones (embedding chunks, embedding the same
    articles' sentences, and a full ``Library.ingest_pages`` into an empty index, save included) over the first
    pages holding ``embed_sample`` chunks. Every rate is in chunks/s, so the sentence pass reads as what it costs
    per chunk ingested.
    """
    pages, page_articles, page_chunks = [], [], []
    for page in generate_pages(seeds, seed=99):
        found = parse_page(page.page.text, page.page.source)
        pages.append(page.page)
        page_articles.append(found)
        page_chunks.append([c for a in found for c in chunk_article(a, settings.chunk_size, settings.chunk_overlap)])
        if sum(map(len, page_chunks)) >= sample_chunks:
            break
    n_small = next(i for i, total in enumerate(itertools.accumulate(map(len, page_chunks)), 1) if total >= embed_sample)
    small = pages[:n_small]
    articles = [a for found in page_articles for a in found]
    chunks = [c for found in page_chunks for c in found]
    n = len(chunks)
    meta = IndexMeta(embedder.name, embedder.dim, settings.chunk_size, settings.chunk_overlap, tokenizer.name)
    tokens = [tokenizer(c.indexed_text) for c in chunks]
    vectors = np.random.default_rng(0).standard_normal((n, embedder.dim)).astype(np.float32)
    few = [a for found in page_articles[:n_small] for a in found]
    few_chunks = [c for found in page_chunks[:n_small] for c in found]
    few_sentences = [k for a in few for k in article_sentences(a)]
    bs = settings.embed_batch_size

    def ingest_all() -> int:
        with tempfile.TemporaryDirectory(prefix="rag-bench-ingest-") as tmp:
            lib = Library(settings.model_copy(update={"index_dir": Path(tmp), "progress": False}), embedder,
                          tokenizer)
            if errors := [r.error for r in lib.ingest_pages(small) if r.error]:
                raise RuntimeError(f"synthetic page failed to ingest: {errors[0]}")
            return len(lib.index.chunks)

    return {
        "sample_chunks": n,
        "parse": rate_runs(lambda: len([a for p in pages for a in parse_page(p.text, p.source)]) and n, runs),
        "chunk": rate_runs(lambda: len([c for a in articles for c in chunk_article(a, settings.chunk_size,
                                                                                  settings.chunk_overlap)]), runs),
        "tokenise": rate_runs(lambda: len([tokenizer(c.indexed_text) for c in chunks]), runs),
        "index": rate_runs(lambda: len(Index.empty(meta).with_articles(articles, chunks, tokens, vectors)), runs),
        "embed_sample_chunks": len(few_chunks),
        "embed_sample_sentences": len(few_sentences),
        "passage_precision": getattr(embedder, "passage_dtype", "float32"),
        "embed": rate_runs(lambda: len(embed_chunks(embedder, few_chunks, bs, False)), runs),
        "embed_sentences": rate_runs(
            lambda: len(embed_sentences(embedder, few, few_sentences, bs, False)) and len(few_chunks), runs),
        "end_to_end": rate_runs(ingest_all, runs),
    }


def build_size(n_chunks: int, seeds: Seeds, seed_vecs: np.ndarray, embedder: Embedder, settings: Settings,
               out_dir: Path, runs: int, sentence_vectors: bool) -> dict:
    tokenizer = Tokenizer(settings.user_dict)
    result: dict = {"size": n_chunks}
    result["ingest_rates"] = stage_rates(seeds, embedder, tokenizer, settings, runs)
    memo = MemoTokenizer(tokenizer)
    with Timer() as t:
        corpus = make_corpus(seeds, n_chunks, memo, settings)
    result["corpus"] = {"pages": corpus.pages, "articles": len(corpus.articles), "chunks": len(corpus.chunks),
                        "seconds": round(t.seconds, 1),
                        "vocabulary": len({tok for row in corpus.tokens[:20000] for tok in row})}
    check = min(200, len(corpus.chunks))
    result["memo_tokeniser_mismatches"] = sum(tokenizer(c.indexed_text) != corpus.tokens[i]
                                             for i, c in enumerate(corpus.chunks[:check]))
    mixer = Mixer(seeds, seed_vecs)
    with Timer() as t:
        vectors = mixer.chunks(corpus.chunks, corpus.page_of)
        sentences = sentence_table(corpus, mixer) if sentence_vectors else None
    result["derive_seconds"] = round(t.seconds, 1)
    real = embed_chunks(embedder, corpus.chunks[:32], settings.embed_batch_size, False)
    result["derived_vs_real_cosine"] = calibrate(vectors[:32], real)
    meta = IndexMeta(embedder.name, embedder.dim, settings.chunk_size, settings.chunk_overlap, tokenizer.name)
    del corpus.page_of
    with Timer() as t:
        index = Index.empty(meta, settings.ann_threshold, params_from_settings(settings)).with_articles(
            corpus.articles, corpus.chunks, corpus.tokens, vectors, sentences)
    result["index_build"] = {"seconds": round(t.seconds, 2), "chunks_per_s": round(len(index) / t.seconds, 1),
                             "ann": type(index.ann).__name__, "ann_tuning": index.ann_tuning,
                             "sentences": len(index.sentences)}
    del corpus
    index_dir = out_dir / f"index-{n_chunks}"
    shutil.rmtree(index_dir, ignore_errors=True)
    with Timer() as t, store.writer_lock(index_dir):
        store.save(index, index_dir)
    version = index_dir / (store.current_version(index_dir) or "")
    result["save_seconds"] = round(t.seconds, 2)
    result["disk_mb"] = round(sum(p.stat().st_size for p in version.rglob("*") if p.is_file()) / 2**20, 1)
    result["index_dir"] = str(index_dir)
    result["peak_rss_build_mb"] = peak_rss_mb()
    return result
