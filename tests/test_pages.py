"""Reading page files: the encodings Chinese newsrooms use decode to the same text; anything else is a PageError."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from rag.errors import PageError
from rag.ingest.pages import decode_page, read_page
from rag.ingest.parse import parse_page

PAGE = "003_8172d0507c8e507c.txt"  # printed with half-width punctuation; holds a photo news item


@pytest.fixture(scope="module")
def text(seeds_dir: Path) -> str:
    return (seeds_dir / PAGE).read_text(encoding="utf-8")


@pytest.mark.parametrize(("encoding", "detected"), [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),  # with a BOM
    ("gbk", "gb18030"),  # GB18030 is a superset of GBK, so one decoder reads both
    ("gb18030", "gb18030"),
    ("utf-16", "utf-16"),  # BOM + NUL bytes: taken at the BOM's word, not mistaken for a binary file
])
def test_re_encoded_page_parses_to_the_same_articles(text: str, encoding: str, detected: str) -> None:
    page = decode_page(text.encode(encoding), source=PAGE)
    assert page.encoding == detected
    assert page.text == text
    assert parse_page(page.text, PAGE) == parse_page(text, PAGE)


def test_crlf_line_ends_become_lf(text: str) -> None:
    page = decode_page(text.replace("\n", "\r\n").encode("gbk"), source=PAGE)
    assert page.text == text
    assert [a.line_start for a in parse_page(page.text, PAGE)] == [a.line_start for a in parse_page(text, PAGE)]


def test_read_page_names_the_source_after_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "gbk-page.txt"
    path.write_bytes(text.encode("gbk"))
    page = read_page(path)
    assert (page.source, page.encoding, page.text) == ("gbk-page.txt", "gb18030", text)


def test_big5_page_is_decoded() -> None:
    trad = "體驗插花藝術\n\n近日，朝陽區醫療衛生工會舉辦傳統插花體驗活動。現場，老師講解了鮮花養護知識。\n\n本報記者 劉欣欣 攝影報道\n"
    assert decode_page(trad.encode("big5")).text == trad


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00" + bytes(64)


@pytest.mark.parametrize("data", [
    pytest.param(random.Random(0).randbytes(4096), id="random-bytes-with-NULs"),
    pytest.param(_png(), id="png-header"),
    pytest.param(b"\x7fELF\x02\x01\x01" + bytes(9) + "工会".encode() * 100, id="elf-header-then-text"),
])
def test_binary_data_is_refused(data: bytes) -> None:
    assert b"\x00" in data
    with pytest.raises(PageError, match=r"^photo\.png: this looks like a binary file, not a text page"):
        decode_page(data, source="photo.png")


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t "])
def test_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(PageError, match=r"^blank\.txt: the file is empty; upload a page with text\.$"):
        decode_page(data, source="blank.txt")


@pytest.mark.parametrize("data", [
    pytest.param(bytes(random.Random(1).randrange(0x80, 0x100) for _ in range(3000)), id="random-high-bytes"),
    pytest.param("Café résumé, naïve déjà vu. ".encode("latin-1") * 20, id="latin-1-no-chinese"),
])
def test_undecodable_bytes_are_refused(data: bytes) -> None:
    assert b"\x00" not in data
    with pytest.raises(PageError, match="cannot decode this file as Chinese text") as info:
        decode_page(data, source="odd.txt")
    assert "save it as UTF-8 or GBK" in info.value.message  # the message says what to do


def test_missing_file_is_a_page_error(tmp_path: Path) -> None:
    with pytest.raises(PageError, match="cannot read the file"):
        read_page(tmp_path / "nope.txt")


TRADITIONAL = "工會新聞\n\n本報訊（記者 張三）近日，臺北市總工會舉辦職工運動會，300餘名職工參加。\n"


@pytest.mark.parametrize(("data", "detected"), [
    (TRADITIONAL.encode("big5"), "big5"),  # Traditional text saved in Big5 (valid GB18030 bytes too: punctuation decides)
    (b"\xfe\xff" + TRADITIONAL.encode("utf-16-be"), "utf-16"),  # big-endian, with its BOM
    (b"\xff\xfe" + TRADITIONAL.encode("utf-16-le"), "utf-16"),
])
def test_big5_and_utf16_bytes(data: bytes, detected: str) -> None:
    page = decode_page(data, source="tw.txt")
    assert (page.encoding, page.text) == (detected, TRADITIONAL)


def test_broken_utf16_is_a_clear_error() -> None:
    with pytest.raises(PageError, match="UTF-16"):
        decode_page(b"\xff\xfe" + "工会".encode("utf-16-le") + b"\x00", source="odd.txt")
