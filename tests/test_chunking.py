"""Chunks are windows of whole sentences whose offsets map back to the exact article body."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Library
from rag.ingest.chunking import chunk_article, chunk_spans
from rag.ingest.parse import parse_page
from rag.ingest.sentences import sentence_spans
from rag.types import Article

SIZES = [(350, 60), (120, 30), (40, 10)]  # the default, and smaller windows that force cuts inside sentences


@pytest.fixture(scope="module")
def seed_articles(seeds_dir: Path) -> list[Article]:
    return [a for p in sorted(seeds_dir.glob("*.txt")) for a in parse_page(p.read_text(encoding="utf-8"), p.name)]


def test_sentence_spans() -> None:
    text = "他说：“好。”我们走吧！对"
    assert [text[a:b] for a, b in sentence_spans(text)] == ["他说：“好。”", "我们走吧！", "对"]
    text = "第一段第一句。第二句？\n第二段。"
    assert [text[a:b] for a, b in sentence_spans(text)] == ["第一段第一句。", "第二句？", "第二段。"]


def test_hand_worked_windows() -> None:
    # three 6-character sentences; a 13-character window holds two; 6 characters of overlap repeat one
    body = "甲甲甲甲甲。乙乙乙乙乙。丙丙丙丙丙。"
    article = Article(id="a1", title="标题", body=body, source="p.txt", subtitle="副题", districts=("通州区",))
    chunks = chunk_article(article, size=13, overlap=6)
    assert [(c.id, c.n, c.start, c.end, c.text) for c in chunks] == [
        ("a1:0", 0, 0, 12, "甲甲甲甲甲。乙乙乙乙乙。"),
        ("a1:1", 1, 6, 18, "乙乙乙乙乙。丙丙丙丙丙。"),
    ]
    assert {(c.article_id, c.title, c.heading, c.source, c.districts) for c in chunks} == \
        {("a1", "标题", "标题 副题", "p.txt", ("通州区",))}
    assert chunks[0].indexed_text == "标题 副题\n甲甲甲甲甲。乙乙乙乙乙。"


def test_a_sentence_longer_than_the_window_is_cut_at_commas() -> None:
    body = "一二三四五六七八九十，一二三四五六七八九十，一二三四五六七八九十。短句。"
    assert [body[a:b] for a, b in chunk_spans(body, size=12, overlap=4)] == [
        "一二三四五六七八九十，", "一二三四五六七八九十，", "一二三四五六七八九十。", "短句。"]


def test_short_article_is_one_chunk() -> None:
    article = Article(id="x", title="t", body="只有一句。", source="p.txt")
    assert [(c.start, c.end) for c in chunk_article(article, 350, 60)] == [(0, 5)]


@pytest.mark.parametrize(("size", "overlap"), SIZES)
def test_chunks_map_back_to_the_body_and_cover_it(seed_articles: list[Article], size: int, overlap: int) -> None:
    for article in seed_articles:
        chunks = chunk_article(article, size, overlap)
        assert [c.id for c in chunks] == [f"{article.id}:{n}" for n in range(len(chunks))]
        for chunk in chunks:
            assert chunk.article_id == article.id  # never crosses into another article
            assert 0 <= chunk.start < chunk.end <= len(article.body)
            assert chunk.text == article.body[chunk.start : chunk.end]
        # nothing is lost: the windows run from the first to the last character with only whitespace between them
        assert chunks[0].start == 0 and chunks[-1].end == len(article.body)
        for prev, nxt in zip(chunks, chunks[1:], strict=False):
            assert prev.start < nxt.start
            assert article.body[prev.end : nxt.start].strip() == ""


@pytest.mark.parametrize(("size", "overlap"), SIZES)
def test_chunk_sizes_stay_within_the_window(seed_articles: list[Article], size: int, overlap: int) -> None:
    for article in seed_articles:
        for chunk in chunk_article(article, size, overlap):
            assert len(chunk.text) <= size or len(sentence_spans(chunk.text)) == 1, (article.title, chunk.n)


def test_default_chunks_start_and_end_on_sentence_boundaries(seed_articles: list[Article]) -> None:
    for article in seed_articles:
        spans = sentence_spans(article.body)
        starts, ends = {a for a, _ in spans}, {b for _, b in spans}
        for chunk in chunk_article(article, 350, 60):
            assert chunk.start in starts and chunk.end in ends, (article.title, chunk.n)


def test_consecutive_chunks_overlap(seed_articles: list[Article]) -> None:
    """Neighbours repeat whole sentences: those within `overlap`, else the last sentence if ≤ 2 × overlap.

    Only a chunk ending in a sentence longer than that (3 of 45 neighbour pairs on the seeds) merely touches.
    """
    touching = []
    for article in seed_articles:
        chunks = chunk_article(article, 350, 60)
        for c, d in zip(chunks, chunks[1:], strict=False):
            if d.start >= c.end:
                last = max((a, b) for a, b in sentence_spans(article.body) if b == c.end)
                touching.append(last[1] - last[0])
    assert len(touching) == 3
    assert all(length > 120 for length in touching)


def test_every_indexed_chunk_is_its_article_body_slice(hash_library: Library) -> None:
    index = hash_library.index
    assert len(index.articles) == 31
    for chunk in index.chunks:
        article = index.articles[chunk.article_id]
        assert chunk.text == article.body[chunk.start : chunk.end]
        assert (chunk.title, chunk.source) == (article.title, article.source)
    assert {c.article_id for c in index.chunks} == set(index.articles)
