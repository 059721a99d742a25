"""OpenAI-compatible chat models: what ``openai.OpenAI(base_url=.../v1)`` sends and expects back.

The request lists the standard OpenAI parameters explicitly: they are accepted and ignored (there is no sampling
here), while a misspelt parameter is still a 422, as with OpenAI. ``k`` and ``filters`` are our extensions (pass
them through ``extra_body``). Responses carry ``citations`` beside ``choices``; clients read it from
``model_extra`` / ``model_dump()``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from .schemas import CitationOut, Count, FiltersIn, RelatedOut, Request

MODEL_ID = "ghnews-qa"


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    # tolerant: assistant turns echoed back by clients carry refusal/tool_calls/audio fields we do not use
    model_config = ConfigDict(extra="ignore", strict=True)

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text or "" for part in self.content if part.type in ("text", "input_text"))
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    include_usage: bool = False


class ChatRequest(Request):
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False
    stream_options: StreamOptions | None = None
    # our extensions
    k: Count | None = None
    filters: FiltersIn | None = None
    # standard OpenAI parameters, accepted and ignored
    temperature: float | None = None
    top_p: float | None = None
    n: int | None = None
    stop: str | list[str] | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    user: str | None = None
    seed: int | None = None
    response_format: JsonValue = None
    tools: JsonValue = None
    tool_choice: JsonValue = None
    parallel_tool_calls: bool | None = None
    functions: JsonValue = None
    function_call: JsonValue = None
    metadata: JsonValue = None
    store: bool | None = None
    service_tier: str | None = None
    reasoning_effort: str | None = None
    modalities: JsonValue = None
    audio: JsonValue = None
    prediction: JsonValue = None
    web_search_options: JsonValue = None
    verbosity: str | None = None
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None


class Usage(BaseModel):
    """Counted in characters: a fair stand-in for tokens with Chinese text, and there is no tokenizer to bill."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    citations: list[CitationOut]
    related: list[RelatedOut]
    answerable: bool
    short_answer: str | None = None  # the answer span alone for typed questions


class Delta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    citations: list[CitationOut] | None = None
    related: list[RelatedOut] | None = None
    answerable: bool | None = None
    short_answer: str | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "ghnews"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
