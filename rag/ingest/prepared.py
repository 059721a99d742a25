"""Prepared ingest batches (:class:`rag.ingest.batch.Batch`: articles with their chunks, tokens and sentence keys, not yet
embedded) filtered by article and merged, so batches prepared apart (worker processes, older snapshots) can be
committed together."""

from __future__ import annotations

from collections.abc import Collection

from .batch import Batch


def without_articles(batch: Batch, drop: Collection[str]) -> Batch:
    """The batch's rows of articles not in ``drop`` (results are left out: they describe inputs, not rows).

    >>> from rag.types import Article, Chunk
    >>> b = Batch(articles=[Article("a", "t", "b", "s"), Article("c", "t", "d", "s")],
    ...           chunks=[Chunk("a-0", "a", 0, "b", 0, 1, "t", "", "s"), Chunk("c-0", "c", 0, "d", 0, 1, "t", "", "s")],
    ...           tokens=[["b"], ["d"]], sentences=[("a", 0, 1), ("c", 0, 1)])
    >>> kept = without_articles(b, {"a"})
    >>> [a.id for a in kept.articles], [c.id for c in kept.chunks], kept.tokens, kept.sentences
    (['c'], ['c-0'], [['d']], [('c', 0, 1)])
    """
    if not drop or not any(a.id in drop for a in batch.articles):
        return Batch(articles=list(batch.articles), chunks=list(batch.chunks), tokens=list(batch.tokens),
                     sentences=list(batch.sentences))
    rows = [(c, t) for c, t in zip(batch.chunks, batch.tokens, strict=True) if c.article_id not in drop]
    return Batch(articles=[a for a in batch.articles if a.id not in drop], chunks=[c for c, _ in rows],
                 tokens=[t for _, t in rows], sentences=[k for k in batch.sentences if k[0] not in drop])


def extend(into: Batch, batch: Batch) -> None:
    """Append ``batch``'s rows to ``into`` (the caller has left out articles ``into`` holds)."""
    into.articles.extend(batch.articles)
    into.chunks.extend(batch.chunks)
    into.tokens.extend(batch.tokens)
    into.sentences.extend(batch.sentences)
