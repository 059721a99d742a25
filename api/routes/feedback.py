"""``/api/feedback``: readers rate answers; maintainers (with an API key) read the ratings back."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..deps import RateLimit, ReadAccess, StateDep, WriteAccess
from ..responses import errors
from ..schemas import FeedbackIn, FeedbackList, FeedbackOut

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/feedback", tags=["feedback"], dependencies=[RateLimit, ReadAccess],
                   responses=errors(401, 422, 429))


@router.post("", response_model=FeedbackOut, status_code=status.HTTP_201_CREATED, summary="Rate an answer",
             responses=errors(400, 413, 415))
async def post_feedback(body: FeedbackIn, state: StateDep) -> FeedbackOut:
    stored = await run_in_threadpool(state.feedback.append, body.model_dump(mode="json"))
    return FeedbackOut.model_validate(stored)


@router.get("", response_model=FeedbackList, dependencies=[WriteAccess], summary="Stored feedback, newest first",
            responses=errors(403))
async def list_feedback(
    state: StateDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    rating: Annotated[str | None, Query(pattern="^(up|down)$")] = None,
) -> FeedbackList:
    records = await run_in_threadpool(state.feedback.read)
    records.reverse()
    if rating:
        records = [r for r in records if r.get("rating") == rating]
    items = []
    for record in records[offset : offset + limit]:
        try:
            items.append(FeedbackOut.model_validate(record))
        except ValidationError:
            log.warning("feedback %s does not match the schema; skipped", record.get("id", "?"))
    return FeedbackList(total=len(records), items=items)
