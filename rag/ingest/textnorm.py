"""Text normalisation, pure functions.

Two levels:

* :func:`clean_line` makes displayed text uniform (half-width punctuation inside Chinese text becomes full-width,
  full-width ASCII letters/digits become half-width). Article bodies are stored this way, so citation offsets
  point into clean text.
* :func:`search_form` is what the keyword side compares: NFKC, Traditional → Simplified, lower case. Documents and
  queries both pass through it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_NO_SPACE_AROUND = set("，；：？！（）。、“”‘’《》")


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs and CJK/full-width punctuation.

    >>> is_cjk("中"), is_cjk("，"), is_cjk("a")
    (True, True, False)
    """
    if not ch:
        return False
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x2018 <= code <= 0x201F
        or code == 0x2026
        or 0x20000 <= code <= 0x2FFFF
    )


_TO_HALF = {code: code - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for code in range(r[0], r[1] + 1)}
_TO_HALF[0x3000] = ord(" ")


def _fullwidth_ascii_to_half(text: str) -> str:
    return text.translate(_TO_HALF)


def clean_line(line: str) -> str:
    """Uniform punctuation for display text.

    >>> clean_line("本报讯 (记者 王路曼) 近日,由密云区总工会")
    '本报讯（记者 王路曼）近日，由密云区总工会'
    >>> clean_line("共有3,000人")
    '共有3,000人'
    """
    text = _fullwidth_ascii_to_half(unicodedata.normalize("NFC", line)).replace("\t", " ").strip()
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch not in _HALF_TO_FULL:
            continue
        prev = next((c for c in reversed(chars[:i]) if c != " "), "")
        nxt = next((c for c in chars[i + 1 :] if c != " "), "")
        if ch == "," and prev.isdigit() and nxt.isdigit():
            continue
        if is_cjk(prev) or is_cjk(nxt):
            chars[i] = _HALF_TO_FULL[ch]
    out: list[str] = []
    for i, ch in enumerate(chars):
        if ch == " ":
            prev = out[-1] if out else ""
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if prev in _NO_SPACE_AROUND or nxt in _NO_SPACE_AROUND or prev == " ":
                continue
        out.append(ch)
    return "".join(out).strip()


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _changed_keys(table: str) -> list[str]:
    """The entries of an OpenCC t2s table (``TSCharacters``, ``TSPhrases``) that t2s turns into something else."""
    from pathlib import Path

    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / f"{table}.txt"
    if not path.exists():
        return []
    keys = []
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if key and values.split(" ")[0] != key:
            keys.append(key)
    return keys


@lru_cache(maxsize=1)
def _phrases_only() -> tuple[str, ...]:
    """The phrases t2s converts though none of their characters is Traditional on its own (藉由, 瞭解, 答覆)."""
    chars = _traditional_only()
    return tuple(key for key in _changed_keys("TSPhrases") if chars.isdisjoint(key))


@lru_cache(maxsize=1)
def _traditional_only() -> frozenset[str]:
    """Characters OpenCC's t2s maps one by one to another character (its character table only)."""
    return frozenset(_changed_keys("TSCharacters"))


def has_traditional(text: str) -> bool:
    """Does the text hold a character written differently in Simplified Chinese? A fast test for structure
    detection (phrase-only conversions such as 藉由 → 借由 do not count).

    >>> has_traditional("區總工會"), has_traditional("区总工会")
    (True, False)
    """
    return not _traditional_only().isdisjoint(text)


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (OpenCC ``t2s``); text with no Traditional character is returned as is
    (the pure-Python converter is slow, and almost everything the index holds is already Simplified).

    >>> to_simplified("哪些區舉辦了集體協商比賽")
    '哪些区举办了集体协商比赛'
    """
    if _traditional_only().isdisjoint(text) and not any(phrase in text for phrase in _phrases_only()):
        return text
    return _t2s().convert(text)


@lru_cache(maxsize=65536)
def search_form(text: str) -> str:
    """The form the keyword side compares: NFKC, Simplified, lower case.

    >>> search_form("經開區ＡＢＣ，")
    '经开区abc,'
    """
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


# Code points that show nothing on their own besides the general categories below: the combining grapheme joiner,
# Hangul fillers, Khmer inherent vowels, Mongolian free variation selectors, variation selectors and the blank
# Braille pattern (Unicode lists most of them as default-ignorable).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})  # controls, format (ZWSP, BOM, bidi), spaces
_INVISIBLE_RANGES = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2800, 0x2800),
                     (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF))


def is_invisible(ch: str) -> bool:
    """True for a character that shows nothing: whitespace, a control or format character, a filler.

    >>> [is_invisible(c) for c in ("\\u200b", "\\ufeff", "\\x00", "\\u3000", "\\ufe0f", "工", "a", "。")]
    [True, True, True, True, True, False, False, False]
    """
    code = ord(ch)
    return (ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES
            or any(lo <= code <= hi for lo, hi in _INVISIBLE_RANGES))


def has_visible(text: str) -> bool:
    """True if ``text`` has at least one character that shows: a question of zero-width spaces is empty.

    >>> has_visible("\\u200b\\u200d\\ufeff \\x00"), has_visible("\\u200b工会")
    (False, True)
    """
    return any(not is_invisible(ch) for ch in text)


@lru_cache(maxsize=1)
def invisible_class() -> str:
    """A regex character class of every invisible character, for schemas (``[^...]`` is "has a visible one").

    >>> invisible_class().startswith("\\\\u0000-\\\\u0020")
    True
    """
    category = unicodedata.category
    codes = {code for code in range(0x110000) if category(chr(code)) in _INVISIBLE_CATEGORIES}
    codes.update(code for lo, hi in _INVISIBLE_RANGES for code in range(lo, hi + 1))
    ranges: list[list[int]] = []
    for code in sorted(codes):  # every str.isspace() character is Cc, Zs, Zl or Zp: no separate pass
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])

    def esc(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return "".join(esc(lo) if lo == hi else f"{esc(lo)}-{esc(hi)}" for lo, hi in ranges)
