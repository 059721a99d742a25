"""工会新闻问答: clean articles from newspaper pages, a hybrid index, and answers with verified citations."""

from .config import Settings
from .errors import RagError
from .library import Library
from .types import Answer, Article, Chunk, Citation, Filters, Hit, Related, Retriever

__all__ = ["Answer", "Article", "Chunk", "Citation", "Filters", "Hit", "Library", "RagError", "Related", "Retriever",
           "Settings"]
