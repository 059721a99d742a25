"""Text comparison for evaluation: NFKC, so half-width and full-width punctuation match, and markers stripped.

Page 003 uses half-width punctuation that the parser turns into full-width; hand-written evidence may use either.
"""

from __future__ import annotations

import re
import unicodedata

_MARKER = re.compile(r"\[\d+\]")


def norm(text: str) -> str:
    """NFKC form used for every containment check.

    >>> norm("近日,由密云区（记者）") == norm("近日，由密云区(记者)")
    True
    """
    return unicodedata.normalize("NFKC", text)


def contains(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` after NFKC normalisation of both (an empty needle never matches)."""
    return bool(needle) and norm(needle) in norm(haystack)


def strip_markers(text: str) -> str:
    """Answer text without ``[n]`` citation markers, so a marker never splits a gold fact.

    >>> strip_markers("第六次[1]代表大会[2]")
    '第六次代表大会'
    """
    return _MARKER.sub("", text)
