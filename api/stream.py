"""Cut a finished answer into small pieces for streaming, never splitting a ``[n]`` citation marker.

Pieces end after clause punctuation (and any markers that follow it); a long clause is cut further, but only
between characters outside a marker. Joining the pieces gives the answer back exactly.

>>> split_pieces("密云区工匠学院成立[1]。今年将培训500名职工，免费[1][2]。")
['密云区工匠学院成立[1]。', '今年将培训500名职工，', '免费[1][2]。']
"""

from __future__ import annotations

import re

_CLAUSE = re.compile(r".*?(?:[，。；：！？,;!?\n]+(?:\s*\[\d+\])*|$)", re.S)
_ATOM = re.compile(r"\[\d+\]|.", re.S)


def _cut(clause: str, max_len: int) -> list[str]:
    """Cut a long clause into runs of at most ``max_len`` atoms (a marker is one atom)."""
    atoms = _ATOM.findall(clause)
    return ["".join(atoms[i : i + max_len]) for i in range(0, len(atoms), max_len)]


def split_pieces(text: str, max_len: int = 24) -> list[str]:
    pieces: list[str] = []
    for clause in _CLAUSE.findall(text):
        if clause:
            pieces.extend(_cut(clause, max_len) if len(clause) > max_len else [clause])
    return pieces
