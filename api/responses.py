"""The error responses each route documents in OpenAPI, all in the one shape of :class:`~api.schemas.ErrorOut`.

A client (or a fuzzer checking the schema) can rely on every status a route may answer being listed:

>>> sorted(errors(400, 429))
[400, 429]
"""

from __future__ import annotations

from typing import Any

from .schemas import ErrorOut

WHY = {
    400: "Bad input: empty or too long question, k out of range, malformed article id, unparsable body",
    401: "No valid API key: writes need one, reads too when RAG_READ_REQUIRES_KEY is set",
    403: "Writes are disabled on this server: no API key is configured",
    404: "No such article or model",
    413: "The request body is too large",
    415: "The body has the wrong media type (JSON routes need application/json)",
    422: "The body does not match the schema (unknown field, wrong type, invalid text), or the page is unreadable",
    429: "Too many requests from this API key or IP address; retry after Retry-After seconds",
    503: "The index is still loading or failed to load; retry after Retry-After seconds",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router: each status with the error model and why it happens."""
    return {status: {"model": ErrorOut, "description": WHY[status]} for status in statuses}

