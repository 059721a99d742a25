"""``POST /api/search``: retrieved chunks with scores."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from ..checks import check_k, check_question
from ..deps import LibraryDep, RateLimit, ReadAccess, SettingsDep
from ..responses import errors
from ..schemas import HitOut, SearchRequest, SearchResponse, filters_of

router = APIRouter(prefix="/api/search", tags=["search"], dependencies=[RateLimit, ReadAccess],
                   responses=errors(400, 401, 413, 415, 422, 429, 503))


@router.post("", response_model=SearchResponse, summary="Retrieve chunks for a query")
async def search(body: SearchRequest, lib: LibraryDep, settings: SettingsDep) -> SearchResponse:
    query = check_question(body.query, settings, "query")
    check_k(body.k, settings)
    hits = await run_in_threadpool(lib.search, query, body.k, body.retriever, filters_of(body.filters))
    return SearchResponse(hits=[HitOut.of(h) for h in hits])
