"""Offline evaluation of retrieval and answers: ``python -m eval`` (:mod:`eval.run`).

Data lives in ``eval/data/``: the hand-written ``questions.jsonl`` and the BEIR files generated from it by
``python -m eval.build_data``; ``python -m eval.validate`` checks them. (Only the dataset types are re-exported
here: importing the runnable modules from the package would make ``python -m eval.validate`` import itself twice.)
"""

from .dataset import Dataset, DatasetError, Document, Evidence, Query, load_beir, write_beir

__all__ = ["Dataset", "DatasetError", "Document", "Evidence", "Query", "load_beir", "write_beir"]
