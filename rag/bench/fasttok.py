"""A memoising front for the product tokeniser, so a million synthetic chunks can be tokenised in minutes.

jieba cuts a text block by block (a block is a run of Han characters, letters, digits and ``+#&._%-``; anything
else separates blocks and is never part of a token), so the tokens of a text are the tokens of its blocks, in
order. Synthetic pages repeat the seeds' clauses over and over, so caching the tokens of each block (and the
search form of each clause) gives the product tokeniser's exact output at a fraction of the cost. The benchmark
checks that claim on a sample (``mismatches`` in the results) and times the real tokeniser separately.

>>> from rag.ingest.tokenize import Tokenizer                                    # doctest: +SKIP
>>> tok = Tokenizer(); memo = MemoTokenizer(tok)                          # doctest: +SKIP
>>> memo("顺义区总工会举办培训班。") == tok("顺义区总工会举办培训班。")          # doctest: +SKIP
True
"""

from __future__ import annotations

import re

from rag.ingest.textnorm import search_form
from rag.ingest.tokenize import Tokenizer

# jieba.re_han_default: the blocks jieba cuts independently
_BLOCK = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")
# clause separators: search_form maps each to a separator again, and no OpenCC phrase spans one
_CLAUSE = re.compile(r"([。！？；，、：“”‘’（）《》\n]+)")


class MemoTokenizer:
    """Same output as ``tokenizer(text)``; caches are bounded (cleared when full)."""

    def __init__(self, tokenizer: Tokenizer, max_items: int = 2_000_000) -> None:
        self.tokenizer = tokenizer
        self.name = tokenizer.name
        self.max_items = max_items
        self._forms: dict[str, str] = {}
        self._blocks: dict[str, list[str]] = {}

    def _form(self, clause: str) -> str:
        form = self._forms.get(clause)
        if form is None:
            if len(self._forms) >= self.max_items:
                self._forms.clear()
            form = self._forms[clause] = search_form(clause)
        return form

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        tok = self.tokenizer
        form = "".join(self._form(part) for part in _CLAUSE.split(text) if part)
        for block in _BLOCK.split(form):
            if not block:
                continue
            tokens = self._blocks.get(block)
            if tokens is None:
                if len(self._blocks) >= self.max_items:
                    self._blocks.clear()
                tokens = self._blocks[block] = tok._keep(tok._jieba.cut_for_search(block))
            out.extend(tokens)
        return out
