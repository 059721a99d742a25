"""The OpenAPI document, with the limits that depend on settings written in.

The request models are static, but the question length (``RAG_MAX_QUESTION_CHARS``) and the ``k`` range
(``RAG_MAX_K``) are the server's own, and they are checked in :mod:`api.checks` (answering 400). Writing them into
the schema keeps the documented contract exact: a request the schema allows is answered, one it forbids is a 4xx.

>>> schema = {"components": {"schemas": {"SearchRequest": {"properties": {"query": {"type": "string"},
...     "k": {"type": "integer"}}}}}}
>>> props = document_limits(schema, Settings(max_question_chars=300, max_k=20))["components"]["schemas"][
...     "SearchRequest"]["properties"]
>>> props["query"]["maxLength"], props["query"]["pattern"][:15], props["k"]
(300, '[^\\\\u0000-\\\\u0020', {'type': 'integer', 'minimum': 1, 'maximum': 20})
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from rag.config import Settings
from rag.ingest.textnorm import invisible_class

# (model, text field) pairs that check_question validates, and the models with a ``k``
QUESTION_FIELDS = (("SearchRequest", "query"), ("AskRequest", "question"))
K_MODELS = ("SearchRequest", "AskRequest", "ChatRequest")


def document_limits(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Add minLength/maxLength/pattern to question fields and minimum/maximum to ``k`` (in place; returned)."""
    models = schema.get("components", {}).get("schemas", {})
    for model, field in QUESTION_FIELDS:
        if prop := models.get(model, {}).get("properties", {}).get(field):
            # at least one visible character (check_question: rag.ingest.textnorm.has_visible)
            prop.update(minLength=1, maxLength=settings.max_question_chars, pattern=f"[^{invisible_class()}]")
    if prop := models.get("FeedbackIn", {}).get("properties", {}).get("question"):  # its length is its own
        prop["pattern"] = f"[^{invisible_class()}]"
    if turn := models.get("Turn"):  # a user turn is an earlier question (see api.checks.check_history)
        turn["if"] = {"properties": {"role": {"const": "user"}}}
        turn["then"] = {"properties": {"content": {"maxLength": settings.max_question_chars}}}
    for model in K_MODELS:
        if prop := models.get(model, {}).get("properties", {}).get("k"):
            for branch in prop.get("anyOf", [prop]):
                if branch.get("type") == "integer":
                    branch.update(minimum=1, maximum=settings.max_k)
    return schema


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """Serve the schema with :func:`document_limits` applied (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            app.openapi_schema = document_limits(schema, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
