"""Inputs of a bulk import, streamed one piece at a time (I/O edge of :mod:`rag.importer`).

A path is a file, a directory (walked recursively, sorted, hidden entries skipped) or an archive (``.tar``,
``.tar.gz``/``.tgz``, ``.tar.xz``/``.txz``, ``.tar.bz2``, ``.zip``) read member by member with the standard library,
never unpacked to disk. Every file or member becomes a :class:`Unit` (its bytes, read later by
:func:`rag.ingest.readers.read_data` like any ingested file: pages, exports, saved HTML); with ``per_line`` a text file is
instead one article per non-empty line (the CRUD archive's layout), each line a :class:`Unit` of its own that goes
through the page parser like any plain text. What cannot be read becomes a :class:`Failure` with its reason (and the bytes around members a :class:`Padding`);
blank lines of a per-line file are counted, not yielded. Each piece carries the input bytes it stands for
(compressed bytes for archives), so progress and ETA follow the input's size without counting it first.
"""

from __future__ import annotations

import logging
import os
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from rag.errors import InputError, PageError

from .pages import decode_page, read_bytes
from .readers import SUFFIXES, kind_of

log = logging.getLogger(__name__)

TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2")
ARCHIVE_SUFFIXES = (*TAR_SUFFIXES, ".zip")


@dataclass(frozen=True)
class Unit:
    """One piece of input: a whole file's bytes, or (``per_line``) one line of text."""

    source: str  # file name, ``archive/member``, plus ``#line`` for a line
    data: bytes | str
    weight: float  # input bytes it stands for
    encoding: str = ""  # of a line's file


@dataclass(frozen=True)
class Failure:
    """Input that yields no article before parsing: unreadable, unsupported, a broken archive."""

    source: str
    reason: str
    weight: float = 0.0


@dataclass(frozen=True)
class Padding:
    """Input bytes read that hold no document (an archive's headers and end blocks): progress only."""

    weight: float


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def _supported(path: Path) -> bool:
    return is_archive(path.name) or path.suffix.lower() in SUFFIXES


class _Counting:
    """A read-only file that counts the bytes read through it (a stream-mode tar reads ahead in blocks)."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.pos = fh, 0

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.pos += len(data)
        return data


class Inputs:
    """The pieces of ``paths`` in order, lazily; ``total_bytes`` is known up front (file sizes), ``blank_lines``
    grows while iterating. Raises :class:`InputError` at once for a path that does not exist."""

    def __init__(self, paths: Iterable[str | Path], per_line: bool = False) -> None:
        self.per_line = per_line
        # (file, source name, named on the command line): names only, each file is read when its turn comes
        self.files: list[tuple[Path, str, bool]] = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                self.files.extend((p, str(p.relative_to(path)), False) for p in _walk(path))
            elif path.is_file():
                self.files.append((path, path.name, True))
            else:
                raise InputError(f"{path}: no such file or directory")
        self.total_bytes = sum(p.stat().st_size for p, _, _ in self.files)
        self.blank_lines = 0

    def __iter__(self) -> Iterator[Unit | Failure | Padding]:
        for path, name, explicit in self.files:
            size = path.stat().st_size
            if not explicit and not _supported(path):  # a file named on the command line is read by its content
                yield Failure(name, f"not a supported file type (supported: "
                                    f"{' '.join((*SUFFIXES, *ARCHIVE_SUFFIXES))})", size)
                continue
            if name.lower().endswith(".zip"):
                yield from self._zip(path, name, size)
            elif is_archive(name):
                yield from self._tar(path, name, size)
            else:
                try:
                    data = read_bytes(path)
                except PageError as exc:
                    yield Failure(name, exc.message, size)
                    continue
                yield from self._member(name, data, size)

    def _tar(self, path: Path, name: str, size: int) -> Iterator[Unit | Failure | Padding]:
        last, done = "", 0
        try:
            with open(path, "rb") as raw:
                counting = _Counting(raw)
                with tarfile.open(fileobj=counting, mode="r|*") as tar:  # type: ignore[call-overload]
                    for member in tar:
                        source = f"{name}/{member.name}"
                        if member.isdir():
                            continue
                        if not member.isfile():
                            yield Failure(source, "not a regular file (link or device) in the archive")
                            continue
                        fh = tar.extractfile(member)
                        data = fh.read() if fh is not None else b""
                        last = member.name
                        yield from self._member(source, data, counting.pos - done)
                        done = counting.pos
            yield Padding(size - done)
        except (OSError, EOFError, tarfile.TarError, zlib.error) as exc:  # lzma.LZMAError is an OSError
            after = f" after member {last}" if last else ""
            yield Failure(name, f"cannot read the archive{after} ({exc}); the rest of it is skipped", size - done)

    def _zip(self, path: Path, name: str, size: int) -> Iterator[Unit | Failure | Padding]:
        try:
            archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            yield Failure(name, f"cannot open the zip archive ({exc})", size)
            return
        with archive:
            for info in archive.infolist():
                source = f"{name}/{info.filename}"
                if info.is_dir():
                    continue
                try:
                    data = archive.read(info)
                except (OSError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error) as exc:
                    yield Failure(source, f"cannot read this member ({exc})", info.compress_size)
                    continue
                yield from self._member(source, data, info.compress_size)
        yield Padding(size - sum(i.compress_size for i in archive.infolist() if not i.is_dir()))

    def _member(self, source: str, data: bytes, weight: float) -> Iterator[Unit | Failure | Padding]:
        if is_archive(source):
            yield Failure(source, "an archive inside an archive is not read; give it as a path of its own", weight)
        elif self.per_line and kind_of(source, data) == "page":
            yield from self._lines(source, data, weight)
        else:
            yield Unit(source, data, weight)

    def _lines(self, source: str, data: bytes, weight: float) -> Iterator[Unit | Failure | Padding]:
        try:
            page = decode_page(data, source)
        except PageError as exc:
            yield Failure(source, exc.message, weight)
            return
        lines = page.text.splitlines()
        per_char = weight / max(1, sum(len(line) + 1 for line in lines if line.strip()))
        for no, line in enumerate(lines, 1):
            if line.strip():
                yield Unit(f"{source}#{no}", line, (len(line) + 1) * per_char, page.encoding)
            else:
                self.blank_lines += 1


def _walk(root: Path) -> Iterator[Path]:
    """Files under ``root``, sorted, depth first; hidden files and directories are skipped."""
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        yield from (Path(here) / f for f in sorted(files) if not f.startswith("."))
