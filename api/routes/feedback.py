"""``/api/feedback``: readers rate answers; maintainers (with an API key) read the ratings back, a page at a time."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..deps import RateLimit, ReadAccess, StateDep, WriteAccess
from ..feedback_schemas import FeedbackIn, FeedbackList, FeedbackOut
from ..responses import errors

log = logging.getLogger(__name__)

MAX_PAGE = 200  # records are at most 4 KB: a page is at most ~800 KB

router = APIRouter(prefix="/api/feedback", tags=["feedback"], dependencies=[RateLimit, ReadAccess],
                   responses=errors(401, 422, 429))


@router.post("", response_model=FeedbackOut, status_code=status.HTTP_201_CREATED, summary="Rate an answer",
             responses=errors(400, 413, 415))
async def post_feedback(body: FeedbackIn, state: StateDep) -> FeedbackOut:
    stored = await run_in_threadpool(state.feedback.append, body.model_dump(mode="json", exclude_none=True))
    return FeedbackOut.model_validate(stored)


@router.get("", response_model=FeedbackList, dependencies=[WriteAccess], summary="Stored feedback, newest first",
            responses=errors(403))
async def list_feedback(
    state: StateDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    rating: Annotated[str | None, Query(pattern="^(up|down)$")] = None,
) -> FeedbackList:
    total, records = await run_in_threadpool(state.feedback.page, offset, limit, rating)
    items = []
    for record in records:
        try:
            items.append(FeedbackOut.model_validate(record))
        except ValidationError:
            log.warning("feedback %s does not match the schema; skipped", record.get("id", "?"))
    return FeedbackList(total=total, items=items)
