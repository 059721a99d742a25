"""``POST /api/ask``: an answer with citations, as JSON or streamed as server-sent events.

Streaming (``Accept: text/event-stream`` or ``"stream": true``) sends ``meta`` (``{"question_used"}``), then
``delta`` events (``{"text": piece}``, cut at clauses with ``[n]`` markers intact), then ``done`` with the full
JSON response. The answer is computed (in the threadpool) before the stream starts, so a bad request still gets a
plain JSON error with the right status.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from rag.answer import answer as compose
from rag.config import Settings
from rag.library import Library
from rag.types import Answer, Article, Filters

from ..checks import check_history, check_k, check_question
from ..deps import LibraryDep, RateLimit, ReadAccess, SettingsDep
from ..responses import errors
from ..schemas import AskRequest, AskResponse, Turn, filters_of
from ..stream import split_pieces

router = APIRouter(prefix="/api/ask", tags=["ask"], dependencies=[RateLimit, ReadAccess],
                   responses=errors(400, 401, 413, 415, 422, 429, 503))

def sse_doc(events: list[str] | None, example: str) -> dict:
    """The ``text/event-stream`` content of a 200: before OpenAPI 3.2, ``schema`` describes one event."""
    event = {"type": "string", "enum": events} if events else {"type": "string"}
    return {"text/event-stream": {"example": example, "schema": {
        "type": "object", "required": ["data"],
        "properties": {"event": event, "data": {"type": "string", "description": "JSON"}}}}}


SSE_DOC = sse_doc(["meta", "delta", "done"], 'event: delta\ndata: {"text": "密云区工匠学院成立[1]。"}\n\n')


def wants_stream(request: Request, stream: bool) -> bool:
    return stream or "text/event-stream" in request.headers.get("accept", "")


async def answer_question(lib: Library, settings: Settings, question: str, history: list[Turn],
                          k: int | None, filters: Filters | None) -> Answer:
    """Validate and answer in the threadpool (retrieval and composition are CPU work)."""
    question = check_question(question, settings)
    check_history(history, settings)
    check_k(k, settings)
    turns = [{"role": t.role, "content": t.content} for t in history]
    return await run_in_threadpool(compose, lib, question, turns or None, k, filters)


def _event(name: str, payload: object) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(payload, ensure_ascii=False), event=name)


async def answer_events(result: Answer, articles: Mapping[str, Article] | None = None,
                        ) -> AsyncIterator[ServerSentEvent]:
    yield _event("meta", {"question_used": result.question_used})
    for piece in split_pieces(result.answer):
        yield _event("delta", {"text": piece})
    yield _event("done", AskResponse.of(result, articles).model_dump(mode="json"))


@router.post("", response_model=AskResponse, summary="Answer a question with citations",
             responses={200: {"content": SSE_DOC}})
async def ask(body: AskRequest, request: Request, lib: LibraryDep, settings: SettingsDep) -> Response:
    result = await answer_question(lib, settings, body.question, body.history, body.k, filters_of(body.filters))
    articles = lib.index.articles  # the citations' labels
    if wants_stream(request, body.stream):
        return EventSourceResponse(answer_events(result, articles))
    return JSONResponse(AskResponse.of(result, articles).model_dump(mode="json"))
