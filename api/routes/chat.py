"""OpenAI-compatible ``/v1/chat/completions`` and ``/v1/models``.

The last user message is the question and earlier user/assistant messages its history (system and tool messages
are ignored). The reply's content keeps the ``[n]`` markers; ``citations`` rides beside ``choices`` (in the final
chunk when streaming). Streams end with ``data: [DONE]``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Mapping

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sse_starlette import EventSourceResponse

from rag.errors import InputError, NotFoundError
from rag.types import Answer, Article

from ..deps import LibraryDep, RateLimit, ReadAccess, SettingsDep
from ..openai_schemas import (
    MODEL_ID,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatMessage,
    ChatRequest,
    Choice,
    ChunkChoice,
    Delta,
    ModelCard,
    ModelList,
    Usage,
)
from ..responses import errors
from ..schemas import CitationOut, RelatedOut, Turn, filters_of
from ..stream import split_pieces
from .ask import answer_question, sse_doc

router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[RateLimit, ReadAccess], responses=errors(401, 429))

STARTED = int(time.time())


def split_conversation(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """(question, history): the last user message, and the user/assistant turns before it."""
    last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last is None:
        raise InputError("messages has no user message; the last user message is the question.")
    history = [Turn(role=m.role, content=m.text) for m in messages[:last]
               if m.role in ("user", "assistant") and m.text.strip()]
    return messages[last].text, history


def usage_of(question: str, history: list[Turn], answer: Answer) -> Usage:
    prompt = len(question) + sum(len(t.content) for t in history)
    return Usage(prompt_tokens=prompt, completion_tokens=len(answer.answer),
                 total_tokens=prompt + len(answer.answer))


def _dump_chunk(chunk: ChatCompletionChunk) -> str:
    """A chunk as JSON, leaving out the extras (citations, usage...) on the chunks that do not carry them."""
    data = chunk.model_dump(mode="json")
    for key in ("usage", "citations", "related", "answerable", "short_answer"):
        if data[key] is None:
            del data[key]
    return json.dumps(data, ensure_ascii=False)


async def completion_chunks(answer: Answer, usage: Usage | None, completion_id: str, created: int,
                            model: str, articles: Mapping[str, Article] | None = None) -> AsyncIterator[str]:
    def chunk(delta: Delta, finish: bool = False, **extra) -> str:
        choice = ChunkChoice(delta=delta, finish_reason="stop" if finish else None)
        return _dump_chunk(ChatCompletionChunk(id=completion_id, created=created, model=model, choices=[choice],
                                               **extra))

    yield chunk(Delta(role="assistant", content=""))
    for piece in split_pieces(answer.answer):
        yield chunk(Delta(content=piece))
    yield chunk(Delta(), finish=True, citations=[CitationOut.of(c, articles) for c in answer.citations],
                related=[RelatedOut.of(r, articles) for r in answer.related], answerable=answer.answerable,
                short_answer=answer.short_answer)
    if usage is not None:  # stream_options.include_usage: one more chunk with empty choices, as OpenAI does
        yield _dump_chunk(ChatCompletionChunk(id=completion_id, created=created, model=model, choices=[],
                                              usage=usage))
    yield "[DONE]"


@router.post("/chat/completions", response_model=ChatCompletion, summary="Chat completion (OpenAI-compatible)",
             responses={200: {"content": sse_doc(None, 'data: {"object": "chat.completion.chunk", ...}\n\n')}, **errors(400, 413, 415, 422, 503)})
async def chat_completions(body: ChatRequest, request: Request, lib: LibraryDep, settings: SettingsDep) -> Response:
    question, history = split_conversation(body.messages)
    result = await answer_question(lib, settings, question, history, body.k, filters_of(body.filters))
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    usage = usage_of(question, history, result)
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        chunks = completion_chunks(result, usage if include_usage else None, completion_id, created, MODEL_ID,
                                   lib.index.articles)
        return EventSourceResponse(chunks)
    completion = ChatCompletion(
        id=completion_id, created=created, model=MODEL_ID,
        choices=[Choice(message=AssistantMessage(content=result.answer))], usage=usage,
        citations=[CitationOut.of(c, lib.index.articles) for c in result.citations],
        related=[RelatedOut.of(r, lib.index.articles) for r in result.related], answerable=result.answerable,
        short_answer=result.short_answer)
    return JSONResponse(completion.model_dump(mode="json"))


@router.get("/models", response_model=ModelList, summary="The one model: this bot")
async def list_models() -> ModelList:
    return ModelList(data=[ModelCard(id=MODEL_ID, created=STARTED)])


@router.get("/models/{model_id}", response_model=ModelCard, summary="Describe the bot's model",
            responses=errors(404))
async def get_model(model_id: str) -> ModelCard:
    if model_id != MODEL_ID:
        raise NotFoundError(f"no model {model_id!r}; this server serves {MODEL_ID!r}.")
    return ModelCard(id=MODEL_ID, created=STARTED)
