"""Read a page file into text, whatever encoding a Chinese newsroom used (I/O edge).

UTF-16 with a byte-order mark is taken at its word; UTF-8 (with or without BOM), GB18030 (a superset of GBK) and Big5
are tried strictly next; anything else goes through charset-normalizer. Binary or undecodable input raises :class:`~rag.errors.PageError` instead of yielding garbage.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from rag.errors import PageError

from .textnorm import is_cjk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageText:
    source: str
    text: str
    encoding: str


def _looks_like_text(text: str, chinese: bool = True) -> bool:
    """Mostly printable, and (for a page) some Chinese in it."""
    if not text.strip():
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t") or ch == "\ufffd")
    if not chinese:
        return bad / len(text) < 0.001
    cjk = sum(1 for ch in text if is_cjk(ch))
    return bad / len(text) < 0.001 and cjk / max(1, len(text.strip())) > 0.05


_PUNCT = set("，。、“”：；！？（）《》")


def _gb_or_big5(data: bytes) -> list[tuple[str, str]]:
    """GB18030 and Big5 candidates, the likelier first.

    Big5 bytes are also valid GB18030, but decode into rare characters with no Chinese punctuation; real text in
    the right encoding is full of ``，。、``.
    """
    found = []
    for encoding in ("gb18030", "big5"):
        try:
            found.append((encoding, data.decode(encoding)))
        except UnicodeDecodeError:
            continue
    return sorted(found, key=lambda pair: -sum(ch in _PUNCT for ch in pair[1]))


def decode_page(data: bytes, source: str = "<bytes>", chinese: bool = True) -> PageText:
    """Decode page bytes; raise PageError on empty, binary or undecodable data. ``chinese=False`` (exports, whose
    keys and markup may outweigh the text) accepts a decoding without asking for Chinese characters.

    >>> decode_page("工会新闻".encode("gbk")).encoding
    'gb18030'
    """
    if not data.strip():
        raise PageError(f"{source}: the file is empty; upload a page with text.")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PageError(f"{source}: this looks like a binary file, not a text page (NUL bytes found).")
    attempts: list[tuple[str, str]] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:  # the BOM names the byte order; Windows Notepad saves "Unicode" this way
            attempts.append(("utf-16", data.decode("utf-16")))
        except UnicodeDecodeError:
            raise PageError(f"{source}: the file starts like UTF-16 but is not valid UTF-16; save it as UTF-8.") from None
    elif data.startswith(b"\xef\xbb\xbf"):
        attempts.append(("utf-8-sig", data.decode("utf-8-sig", errors="replace")))
    else:
        try:
            attempts.append(("utf-8", data.decode("utf-8")))
        except UnicodeDecodeError:
            attempts.extend(_gb_or_big5(data))
    if not attempts:
        best = from_bytes(data).best()
        if best is not None:
            attempts.append((best.encoding, str(best)))
    for encoding, text in attempts:
        if _looks_like_text(text, chinese):
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            log.debug("decoded %s as %s", source, encoding)
            return PageText(source=source, text=text, encoding=encoding)
    raise PageError(
        f"{source}: cannot decode this file as Chinese text (tried UTF-8, GB18030 and detection); "
        "save it as UTF-8 or GBK and upload again."
    )


def read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise PageError(f"{path}: cannot read the file ({exc.strerror}).") from exc


def read_page(path: Path) -> PageText:
    """Read and decode one page file; the source name is the file name."""
    return decode_page(read_bytes(path), source=Path(path).name)
