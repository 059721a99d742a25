"""Sentence keys as columns: the same keys and lookups as a list of tuples with a dict, on the seeds' sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.index.sentkeys import SentenceKey, SentenceKeys
from rag.ingest.parse import parse_page
from rag.ingest.sentences import article_sentences


@pytest.fixture(scope="module")
def seed_keys(seeds_dir: Path) -> list[list[SentenceKey]]:
    """Sentence keys of each seed page's articles, one list per page."""
    pages = []
    for path in sorted(seeds_dir.glob("*.txt")):
        articles = parse_page(path.read_text(encoding="utf-8"), path.name)
        pages.append([k for a in articles for k in article_sentences(a)])
    return pages


def _reference_rows(keys: list[SentenceKey]) -> dict[tuple[str, int], int]:
    return {(aid, a): i for i, (aid, a, _b) in enumerate(keys)}


def test_hand_worked_columns_and_lookup() -> None:
    keys = SentenceKeys.of([("x", 0, 5), ("y", 0, 3), ("x", 6, 9)])
    assert keys.ids == ("x", "y")
    assert keys.article.tolist() == [0, 1, 0] and keys.start.tolist() == [0, 0, 6] and keys.end.tolist() == [5, 3, 9]
    assert keys.rows_of([("x", 6), ("y", 0), ("x", 0), ("x", 5), ("z", 0)]) == [2, 1, 0, None, None]
    grown = keys.added(SentenceKeys.of([("z", 2, 4), ("y", 4, 8)]))  # z is new, y is known: ordinals remapped
    assert grown.ids == ("x", "y", "z") and grown.article.tolist() == [0, 1, 0, 2, 1]
    assert grown.rows_of([("z", 2), ("y", 4)]) == [3, 4]
    assert list(grown.taken(grown.kept({"x"}))) == [("y", 0, 3), ("z", 2, 4), ("y", 4, 8)]
    assert grown[1:3] == [("y", 0, 3), ("x", 6, 9)] and grown[-1] == ("y", 4, 8)
    assert SentenceKeys.of([]).rows_of([("x", 0)]) == [None] and len(SentenceKeys.of([])) == 0


def test_seed_keys_round_trip_and_match_a_dict(seed_keys: list[list[SentenceKey]]) -> None:
    flat = [k for page in seed_keys for k in page]
    assert len(flat) == 286  # 31 articles
    keys = SentenceKeys.of(flat)
    assert keys == flat and list(keys) == flat and len(keys) == len(flat)
    assert all(a is b[0] for (a, _s, _e), b in zip(keys, flat, strict=True))  # the caller's id strings, shared
    rows = _reference_rows(flat)
    spans = [*rows, ("no-such-article", 0), (flat[0][0], 10_000)]
    assert keys.rows_of(spans) == [*rows.values(), None, None]


def test_added_page_by_page_and_without_match_tuples(seed_keys: list[list[SentenceKey]]) -> None:
    keys = SentenceKeys.of(seed_keys[0])
    for page in seed_keys[1:]:
        keys = keys.added(SentenceKeys.of(page))
    flat = [k for page in seed_keys for k in page]
    assert keys == flat
    dropped = {flat[0][0], flat[-1][0]}
    kept = [k for k in flat if k[0] not in dropped]
    rest = keys.taken(keys.kept(dropped))
    assert rest == kept
    assert np.array_equal(keys.kept(dropped), [i for i, k in enumerate(flat) if k[0] not in dropped])
    assert rest.rows_of(list(_reference_rows(kept))) == list(range(len(kept)))
    assert rest.rows_of([(flat[0][0], flat[0][1])]) == [None]
