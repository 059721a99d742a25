"""Text normalisation: display text (clean_line) and the keyword side's compare form (search_form)."""

from __future__ import annotations

import pytest

from rag.ingest.textnorm import clean_line, is_cjk, search_form, to_simplified


@pytest.mark.parametrize(("raw", "clean"), [
    # page 003 as printed: half-width brackets and commas around Chinese become full-width, spaces around them go
    ("本报讯 (记者 王路曼) 近日,由密云区总工会", "本报讯（记者 王路曼）近日，由密云区总工会"),
    ("在北京经济技术开发区(以下简称“经开区”)青年公寓", "在北京经济技术开发区（以下简称“经开区”）青年公寓"),
    ("职工说:“好!”", "职工说：“好！”"),
    ("时间:上午", "时间：上午"),
    # numbers and Latin text keep their half-width punctuation
    ("共有3,000人", "共有3,000人"),
    ("会议于10:30开始", "会议于10:30开始"),
    ("Hello, world!", "Hello, world!"),
    ("理解 and 掌握", "理解 and 掌握"),
    # full-width letters/digits become half-width; an ideographic space becomes one space; tabs and ends trimmed
    ("２０２５年ＡＢＣ", "2025年ABC"),
    ("工会\u3000新闻", "工会 新闻"),
    ("\t 标题 \t", "标题"),
])
def test_clean_line(raw: str, clean: str) -> None:
    assert clean_line(raw) == clean
    assert clean_line(clean) == clean  # idempotent


def test_is_cjk() -> None:
    assert [is_cjk(c) for c in "中，“a1 𠀀"] == [True, True, True, False, False, False, True]
    assert is_cjk("") is False


def test_to_simplified() -> None:
    assert to_simplified("門頭溝區總工會舉辦專題講座") == "门头沟区总工会举办专题讲座"
    assert to_simplified("已经是简体") == "已经是简体"


@pytest.mark.parametrize("phrase", ["藉由", "瞭解", "答覆", "沈默"])
def test_phrases_of_ordinary_characters_are_still_converted(phrase: str) -> None:
    """t2s converts these as phrases only (no character of them is Traditional on its own)."""
    from rag.ingest.textnorm import _t2s

    assert to_simplified(f"工会{phrase}职工") == _t2s().convert(f"工会{phrase}职工") != f"工会{phrase}职工"


def test_simplified_text_skips_the_converter(seeds_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    """The converter is slow; Simplified text that merely shares characters with its phrase table (本, 工, 中…)
    does not go through it."""
    import rag.ingest.textnorm as textnorm

    text = (seeds_dir / "000_9d99fd9dcb55520a.txt").read_text(encoding="utf-8")
    assert not textnorm._changed_keys("TSPhrases") or any(ch in text for ch in "本工中")

    def refuse():
        raise AssertionError("the converter ran on Simplified text")

    monkeypatch.setattr(textnorm, "_t2s", refuse)
    assert to_simplified(text) == text


@pytest.mark.parametrize(("text", "form"), [
    ("經開區ＡＢＣ，", "经开区abc,"),  # Traditional -> Simplified, NFKC, lower case
    ("哪些區舉辦了集體協商比賽", "哪些区举办了集体协商比赛"),
    ("Ｅ５ 工会", "e5 工会"),
])
def test_search_form(text: str, form: str) -> None:
    assert search_form(text) == form
    assert search_form(form) == form
