"""Feedback schemas: what the widget sends back about an answer, bounded so a stored record stays under 4 KB."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

from rag.ingest.textnorm import has_visible

from .schemas import Request, _whole

# constraints before the validator, so that JSON Schema documents them (minimum/maximum) and whole floats pass
CitationNumber = Annotated[int, Field(ge=1, le=1000), BeforeValidator(_whole)]
Offset = Annotated[int, Field(ge=0), BeforeValidator(_whole)]


class CitationRef(Request):
    """A cited passage as the widget sends it back: ``{"n": 1, "article_id": "9d99fd9dcb55520a", ...}``."""

    n: CitationNumber
    article_id: str = Field(max_length=64)
    chunk_id: str | None = Field(None, max_length=80)
    start: Offset | None = None
    end: Offset | None = None


class FeedbackIn(Request):
    """Bounded so that a record stays under 4 KB (checked again, in bytes, when it is stored)."""

    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    answer: Annotated[str, StringConstraints(max_length=1_200)]
    rating: Literal["up", "down"]
    comment: Annotated[str, StringConstraints(max_length=500)] | None = None
    citations: list[CitationNumber | CitationRef] | None = Field(None, max_length=20)

    @field_validator("question", mode="after")
    @classmethod
    def _visible(cls, value: str) -> str:
        if not has_visible(value):
            raise ValueError("the question is empty (no visible character)")
        return value


class FeedbackOut(FeedbackIn):
    model_config = ConfigDict(extra="ignore")

    id: str
    created: str


class FeedbackList(BaseModel):
    total: int
    items: list[FeedbackOut]
