"""``GET /api/suggestions``: starter questions for the chat, from the newest articles that match the filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from rag.answer.starters import starter_questions
from rag.types import Filters

from ..deps import LibraryDep, RateLimit, ReadAccess
from ..responses import errors

router = APIRouter(prefix="/api/suggestions", tags=["suggestions"], dependencies=[RateLimit, ReadAccess],
                   responses=errors(401, 422, 429, 503))

ISO_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class Suggestion(BaseModel):
    question: str
    article_id: str
    title: str


class Suggestions(BaseModel):
    questions: list[Suggestion]


@router.get("", response_model=Suggestions, summary="Starter questions about the newest matching articles")
async def suggestions(
    lib: LibraryDep,
    n: Annotated[int, Query(ge=1, le=20, description="how many")] = 4,
    place: Annotated[list[str], Query(max_length=20, description="region at any level, e.g. 杭州市")] = [],  # noqa: B006
    source: Annotated[list[str], Query(max_length=20, description="file or publisher (人民网)")] = [],  # noqa: B006
    since: Annotated[str, Query(pattern=ISO_DATE, description="published on or after (YYYY-MM-DD)")] = "",
    until: Annotated[str, Query(pattern=ISO_DATE, description="published on or before (YYYY-MM-DD)")] = "",
) -> Suggestions:
    filters = Filters(sources=tuple(source), places=tuple(place), date_from=since, date_to=until)
    found = starter_questions(lib.index.articles.values(), n, lib.resolve_filters(filters))  # source: file or paper
    return Suggestions(questions=[Suggestion(question=s.question, article_id=s.article_id, title=s.title)
                                  for s in found])
