"""The OpenAI-compatible endpoints, driven by the official ``openai`` client against the real server."""

from __future__ import annotations

import json
import re

import httpx
import openai
import pytest
from api_server import API_KEYS, shared_server, start_server
from openai import OpenAI

MARKER = re.compile(r"\[(\d+)\]")
QUESTION = "密云区工匠学院今年将为多少名职工提供免费培训？"


@pytest.fixture(scope="session")
def server():
    return shared_server()


@pytest.fixture(scope="session")
def bot(server) -> OpenAI:
    return OpenAI(base_url=f"{server.url}/v1", api_key=API_KEYS[0], max_retries=0, timeout=60)


def test_models_list_the_bot(bot):
    assert "ghnews-qa" in [m.id for m in bot.models.list()]
    assert bot.models.retrieve("ghnews-qa").id == "ghnews-qa"
    with pytest.raises(openai.NotFoundError):
        bot.models.retrieve("gpt-4o")


def test_chat_completion(bot):
    completion = bot.chat.completions.create(model="ghnews-qa", messages=[{"role": "user", "content": QUESTION}])
    assert completion.object == "chat.completion" and completion.id.startswith("chatcmpl-")
    assert completion.model == "ghnews-qa" and completion.created > 0
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content
    assert content and MARKER.search(content)
    usage = completion.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens > 0
    citations = completion.model_extra["citations"]
    assert citations == completion.model_dump()["citations"]
    assert {int(n) for n in MARKER.findall(content)} <= {c["n"] for c in citations}
    for c in citations:
        assert {"n", "article_id", "title", "label", "source", "text", "snippet", "start", "end", "score"} <= set(c)


def test_chat_completion_stream(bot):
    reference = bot.chat.completions.create(model="ghnews-qa", messages=[{"role": "user", "content": QUESTION}])
    chunks = list(bot.chat.completions.create(model="ghnews-qa", stream=True,
                                              messages=[{"role": "user", "content": QUESTION}]))
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == reference.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"] == reference.model_extra["citations"]
    assert last.model_dump()["citations"]
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])


def test_stream_usage_chunk(bot):
    chunks = list(bot.chat.completions.create(model="ghnews-qa", stream=True, stream_options={"include_usage": True},
                                              messages=[{"role": "user", "content": QUESTION}]))
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    assert chunks[-2].choices[0].finish_reason == "stop" and chunks[-2].model_extra["citations"]


def test_stream_framing_ends_with_done(server):
    payload = {"model": "ghnews-qa", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.stream("POST", f"{server.url}/v1/chat/completions", json=payload, timeout=60) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = response.read().decode()
    data = [line[6:] for line in body.splitlines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    final = json.loads(data[-2])
    assert final["choices"][0]["finish_reason"] == "stop" and final["citations"]
    assert "citations" not in json.loads(data[1])


def test_conversation_history_and_system_messages(bot):
    completion = bot.chat.completions.create(
        model="ghnews-qa", temperature=0.2, max_tokens=200, user="tester",
        messages=[{"role": "system", "content": "You are a helpful assistant."},
                  {"role": "user", "content": "密云区工匠学院是什么时候成立的？"},
                  {"role": "assistant", "content": "近日，密云区工匠学院正式开班。[1]"},
                  {"role": "user", "content": [{"type": "text", "text": "谁担任院长？"}]}])
    assert completion.choices[0].message.content
    assert isinstance(completion.model_extra["citations"], list)


def test_extensions_through_extra_body(bot):
    completion = bot.chat.completions.create(
        model="ghnews-qa", messages=[{"role": "user", "content": QUESTION}],
        extra_body={"k": 3, "filters": {"sources": ["003_8172d0507c8e507c.txt"]}})
    assert {c["source"] for c in completion.model_extra["citations"]} <= {"003_8172d0507c8e507c.txt"}


@pytest.mark.parametrize(("messages", "extra", "error"), [
    ([{"role": "system", "content": "hi"}], {}, openai.BadRequestError),
    ([{"role": "user", "content": "   "}], {}, openai.BadRequestError),
    ([{"role": "user", "content": "工" * 501}], {}, openai.BadRequestError),
    ([{"role": "user", "content": "工会"}], {"k": 0}, openai.BadRequestError),
    ([{"role": "user", "content": "工会"}], {"bogus_param": 1}, openai.UnprocessableEntityError),
    ([], {}, openai.UnprocessableEntityError),
])
def test_client_errors(bot, messages, extra, error):
    with pytest.raises(error) as info:
        bot.chat.completions.create(model="ghnews-qa", messages=messages, extra_body=extra or None)
    assert info.value.body["code"] and info.value.body["message"]


@pytest.mark.slow
def test_real_model_smoke():
    """The default embedding model end to end: seeds indexed and served, a question answered from the right page."""
    from rag.config import DEFAULT_MODEL

    server = start_server(model=DEFAULT_MODEL)
    try:
        bot = OpenAI(base_url=f"{server.url}/v1", api_key=API_KEYS[0], max_retries=0, timeout=120)
        completion = bot.chat.completions.create(model="ghnews-qa",
                                                 messages=[{"role": "user", "content": QUESTION}])
        citations = completion.model_extra["citations"]
        assert citations and any("密云" in c["title"] for c in citations)
        assert "500" in completion.choices[0].message.content
    finally:
        server.stop()
