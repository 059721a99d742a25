"""Generative mode against a small real OpenAI-compatible HTTP server started by the test: the model's [n] markers
go through the same citation check, and errors, timeouts and uncited replies fall back to the extractive answer."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from embeddings.hashing import HashEmbedder
from rag import Library, Settings
from rag.answer import answer
from rag.ingest.tokenize import Tokenizer

QUESTION = "谁被聘为密云区工匠学院院长？"


class FakeModel(BaseHTTPRequestHandler):
    """``/v1/chat/completions`` answering per ``mode``: good, forged, slow, error, uncited."""

    mode = "good"
    requests: list[dict] = []

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeModel.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        prompt = body["messages"][-1]["content"]
        n = next(m.group(1) for m in re.finditer(r"^\[(\d+)\].*$", prompt, re.M) if "王晓欧" in m.group(0))
        replies = {
            "good": f"首都经济贸易大学密云分校副校长王晓欧受聘为密云区工匠学院院长[{n}]。",
            "forged": f"王晓欧受聘为密云区工匠学院院长[{n}]。海淀区工匠学院院长是张三[{n}]。另据报道学院有一千名教师[42]。",
            "uncited": "王晓欧是院长。",
        }
        if self.mode == "slow":
            time.sleep(2)
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        payload = {"id": "x", "object": "chat.completion", "model": body["model"],
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": replies.get(self.mode, "")},
                                "finish_reason": "stop"}]}
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except BrokenPipeError:  # the slow case: the client already gave up
            pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


@pytest.fixture()
def llm_library(hash_library: Library, server: str, tokenizer: Tokenizer) -> Library:
    settings = Settings(index_dir=Path(hash_library.settings.index_dir), model="hash-256", progress=False,
                        llm_base_url=server, llm_model="fake-model", llm_api_key="sk-test", llm_timeout=0.5)
    FakeModel.requests.clear()
    return Library(settings, HashEmbedder(), tokenizer)


def test_generated_answer_keeps_its_verified_citation(llm_library: Library) -> None:
    FakeModel.mode = "good"
    result = answer(llm_library, QUESTION)
    assert result.extra["mode"] == "generative"
    assert result.answer == "首都经济贸易大学密云分校副校长王晓欧受聘为密云区工匠学院院长[1]。"
    assert "王晓欧" in result.citations[0].snippet and len(result.citations) == 1
    sent = FakeModel.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer sk-test"
    assert sent["body"]["model"] == "fake-model" and "[1]《" in sent["body"]["messages"][-1]["content"]


def test_forged_and_unsupported_claims_are_dropped(llm_library: Library) -> None:
    FakeModel.mode = "forged"
    result = answer(llm_library, QUESTION)
    assert result.extra["mode"] == "generative"
    assert result.answer == "王晓欧受聘为密云区工匠学院院长[1]。"
    assert "海淀区" not in result.answer and "[42]" not in result.answer


@pytest.mark.parametrize("mode", ["slow", "error", "uncited"])
def test_failures_fall_back_to_the_extractive_answer(llm_library: Library, mode: str) -> None:
    FakeModel.mode = mode
    result = answer(llm_library, QUESTION)
    assert result.answerable and result.extra["mode"] == "extractive"
    assert "王晓欧" in result.answer and result.answer.endswith("[1]")
    assert len(FakeModel.requests) == 1
