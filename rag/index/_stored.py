"""An array left in its ``.npy`` file and read with ``pread``: the rows asked for are copied out, nothing is mapped.

For tables read a few rows at a time (sentence vectors) or only by a rebuild (token ids), where mapping the file
costs more than it reads. On this machine (ext4 on Linux 6.18, whose page cache holds 2 MB file folios), reading
600 scattered rows of a mapped 292 MB sentence-vector file put 273 MB of it into the process's RSS, with or
without ``madvise(MADV_RANDOM)``: the kernel maps far more around each fault than the row it needed. Read with
``pread``, the same rows take 450 KB. (The kernel caches the file's pages either way; they are shared and
reclaimable.)

>>> import tempfile; path = Path(tempfile.mkdtemp()) / "rows.npy"
>>> np.save(path, np.arange(12, dtype=np.float16).reshape(6, 2))
>>> rows = StoredArray(path, ndim=2)
>>> len(rows), rows.shape, rows[4:].tolist(), rows[[5, 0, 5]].tolist()
(6, (6, 2), [[8.0, 9.0], [10.0, 11.0]], [[10.0, 11.0], [0.0, 1.0], [10.0, 11.0]])
"""

from __future__ import annotations

import math
import os
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_KINDS = {"iu": "integer", "f": "float", "iuf": "numeric"}


class StoredArray:
    """The ``.npy`` file at ``path``, read on demand: ``len``, ``shape``, ``dtype``; ``[a:z]`` and ``[rows]`` (a
    list of row numbers, any order, repeats allowed) give new arrays of ``read_as`` (default: as stored).

    The open file keeps the rows readable after the file is deleted (a newer index version deletes the directory
    of an older one while snapshots of it may still be answering).
    """

    def __init__(self, path: Path, ndim: int = 1, kinds: str = "iuf", read_as: type | None = None,
                 what: str = "stored array") -> None:
        header = np.load(path, mmap_mode="r")  # just the header: where the data starts, its shape and type
        if header.dtype.kind not in kinds or header.ndim != ndim or not header.flags.c_contiguous:
            raise ValueError(f"{path}: {what} must be a {ndim}-D {_KINDS.get(kinds, kinds)} array, "
                             f"not {header.dtype} {header.shape}")
        self.shape: tuple[int, ...] = header.shape
        self._stored, self._offset = header.dtype, header.offset
        self.dtype = np.dtype(read_as) if read_as is not None else header.dtype
        self._row_bytes = header.dtype.itemsize * math.prod(header.shape[1:])
        del header
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)  # closed with the last snapshot that holds this array

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __getitem__(self, rows: slice | Sequence[int] | np.ndarray) -> np.ndarray:
        if isinstance(rows, slice):
            a, z, step = rows.indices(len(self))
            if step != 1:
                raise ValueError("stored arrays are read in contiguous slices")
            return self._runs([(a, max(a, z))]).astype(self.dtype, copy=False)
        rows = np.asarray(rows, np.int64).reshape(-1)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self)):
            raise IndexError(f"rows out of range for a stored array of {len(self)} rows")
        wanted = np.unique(rows)  # sorted: each run of consecutive rows is one read
        breaks = np.flatnonzero(np.diff(wanted) != 1) + 1
        runs = [(int(r[0]), int(r[-1]) + 1) for r in np.split(wanted, breaks) if len(r)]
        return self._runs(runs)[np.searchsorted(wanted, rows)].astype(self.dtype, copy=False)

    def _runs(self, runs: list[tuple[int, int]]) -> np.ndarray:
        """Rows ``a`` to ``z`` of each run, one after the other, as stored."""
        out = np.empty((sum(z - a for a, z in runs), *self.shape[1:]), self._stored)
        at = 0
        for a, z in runs:
            want = self._row_bytes * (z - a)
            if want and os.preadv(self._fd, [out[at : at + z - a]], self._offset + self._row_bytes * a) != want:
                raise OSError(f"stored array ended early (rows {a} to {z} of {len(self)})")
            at += z - a
        return out

    def __array__(self, dtype: object = None, copy: bool | None = None) -> np.ndarray:
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype, copy=False)
