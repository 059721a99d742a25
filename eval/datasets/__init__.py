"""Evaluation sets from public data (SQuAD-format files, CRUD-RAG news) and the seed questions, in BEIR layout."""

from .build import ALL, PUBLIC, build_crud, build_seeds, build_set, build_squad
from .crud import crud_dataset
from .squad import squad_dataset

__all__ = ["ALL", "PUBLIC", "build_crud", "build_seeds", "build_set", "build_squad", "crud_dataset",
           "squad_dataset"]
