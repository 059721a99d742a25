"""Ingest: bytes in any encoding and layout → clean articles with their metadata → chunks, tokens, sentence keys.

Owns reading (page text in UTF-8/GBK/Big5/UTF-16, JSONL/CSV exports, saved HTML, archives and directories streamed
member by member), page parsing (titles, leads, bylines, page furniture), text normalisation and the one keyword
tokeniser, sentence splitting and chunking, and the metadata found in the text (places at every level, dates,
publishers). Everything here is pure but for reading files; nothing here embeds or writes an index.
"""

from .batch import Batch, PageResult, prepare, with_places
from .chunking import chunk_article
from .pages import PageText, read_page
from .parse import parse_page, parse_report
from .places import find_regions, with_parents
from .readers import Document, expand_paths, read_documents
from .sentences import article_sentences, sentence_spans
from .sources import Inputs
from .textnorm import search_form, to_simplified
from .tokenize import Tokenizer

__all__ = ["Batch", "Document", "Inputs", "PageResult", "PageText", "Tokenizer", "article_sentences",
           "chunk_article", "expand_paths", "find_regions", "parse_page", "parse_report", "prepare", "read_documents",
           "read_page", "search_form", "sentence_spans", "to_simplified", "with_parents", "with_places"]
