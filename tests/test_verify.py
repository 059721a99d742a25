"""The citation check on hand-made answers: forged, unsupported and misplaced citations are dropped."""

from __future__ import annotations

from rag import Library
from rag.answer.verify import support, verify
from rag.types import Citation


def _citation(lib: Library, n: int, needle: str) -> Citation:
    for article in lib.index.articles.values():
        start = article.body.find(needle)
        if start >= 0:
            chunk = next(c for c in lib.index.chunks_of(article.id) if c.start <= start and start + len(needle) <= c.end)
            return Citation(n, article.id, chunk.id, article.title, article.source, chunk.text, needle, start,
                            start + len(needle), 1.0)
    raise AssertionError(needle)


def test_supported_claims_survive_and_forgeries_are_dropped(hash_library: Library) -> None:
    good = _citation(hash_library, 1, "最终，永顺镇总工会代表队从全区20支队伍中脱颖而出，荣获此次大赛一等奖。")
    other = _citation(hash_library, 2, "近日，北京首华置业有限公司工会组织全体职工前往奥林匹克森林公园开展健步走活动。")
    text = "最终，永顺镇总工会代表队从全区20支队伍中脱颖而出，荣获此次大赛一等奖。[1]海淀区代表队获得二等奖。[2]另有一队获三等奖。[3]"
    checked, used, problems = verify(text, (good, other), hash_library.index.articles)
    assert checked == "最终，永顺镇总工会代表队从全区20支队伍中脱颖而出，荣获此次大赛一等奖。[1]"
    assert [c.n for c in used] == [1]
    assert len(problems) == 2 and "[2] does not support" in problems[0] and "[3] points at no citation" in problems[1]


def test_a_citation_whose_offsets_do_not_hold_its_snippet_is_dropped(hash_library: Library) -> None:
    good = _citation(hash_library, 1, "最终，永顺镇总工会代表队从全区20支队伍中脱颖而出，荣获此次大赛一等奖。")
    moved = Citation(**{**good.__dict__, "start": good.start + 1, "end": good.end + 1})
    checked, used, problems = verify("永顺镇总工会代表队荣获此次大赛一等奖。[1]", (moved,), hash_library.index.articles)
    assert checked == "" and used == () and "not the article's text" in problems[0]


def test_markers_are_renumbered_in_order_of_use(hash_library: Library) -> None:
    a = _citation(hash_library, 1, "最终，永顺镇总工会代表队从全区20支队伍中脱颖而出，荣获此次大赛一等奖。")
    b = _citation(hash_library, 2, "近日，北京首华置业有限公司工会组织全体职工前往奥林匹克森林公园开展健步走活动。")
    text = "首华置业公司工会组织全体职工前往奥林匹克森林公园开展健步走活动。[2]永顺镇总工会代表队荣获此次大赛一等奖。[1]"
    checked, used, _ = verify(text, (a, b), hash_library.index.articles)
    assert checked.endswith("[2]") and "健步走活动。[1]" in checked
    assert [c.snippet[:5] for c in used] == ["近日，北京", "最终，永顺"]


def test_support_is_the_share_of_claim_bigrams_in_the_snippet() -> None:
    assert support("", "任何") == 1.0
    assert support("一等奖", "荣获一等奖") == 1.0
    assert support("海淀区一等奖", "荣获一等奖") == 0.4  # 一等, 等奖 of 海淀 淀区 区一 一等 等奖
