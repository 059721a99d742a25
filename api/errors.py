"""The one error shape, ``{"error": {"code": ..., "message": ...}}``, for every failure the API reports.

:class:`~rag.errors.RagError` subclasses carry their own status and code; request validation, invalid JSON and
Starlette's HTTP exceptions (unknown route, wrong method, body too large) are mapped here too. Only a bug is a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from rag.errors import AuthError, IndexNotReadyError, InputError, RagError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


class UnsupportedMediaError(InputError):
    http_status = 415
    code = "unsupported_media_type"


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _where(loc: tuple[Any, ...]) -> str:
    """``("body", "filters", "colour")`` -> ``"filters.colour"``; pydantic's names for union members that are not
    models (``function-before[_whole(), constrained-int]``) are left out."""
    parts = [str(p) for p in loc if p != "body" and (isinstance(p, int) or str(p).isidentifier())]
    return ".".join(parts) or "body"


def describe_validation(errors: list[dict[str, Any]]) -> str:
    """One readable line per problem, e.g. ``unknown field 'qestion'; k: Input should be a valid integer``."""
    lines = []
    for err in errors[:5]:
        where = _where(tuple(err.get("loc", ())))
        if err.get("type") == "extra_forbidden":
            lines.append(f"unknown field {where!r}")
        elif err.get("type") == "missing" and where == "body":
            lines.append("the request body is empty; send a JSON object")
        elif err.get("type") == "missing":
            lines.append(f"missing field {where!r}")
        elif err.get("type") == "string_unicode":  # a constrained string met half a surrogate pair
            lines.append(f"{where}: text must be valid Unicode (found a lone surrogate such as \\ud800)")
        else:
            lines.append(f"{where}: {err.get('msg', 'invalid value')}")
    return "; ".join(lines)


async def rag_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RagError)
    headers: dict[str, str] = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    elif isinstance(exc, IndexNotReadyError):
        headers["Retry-After"] = "5"
    if isinstance(exc, AuthError):
        headers["WWW-Authenticate"] = "Bearer"
    if exc.http_status >= 500 and not isinstance(exc, IndexNotReadyError):
        log.error("%s %s failed: %s", request.method, request.url.path, exc.message)
    return error_response(exc.http_status, exc.code, exc.message, headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    bad_json = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if bad_json is not None:
        detail = (bad_json.get("ctx") or {}).get("error", "")
        return error_response(400, "invalid_json", f"the request body is not valid JSON ({detail}).")
    if "json" not in request.headers.get("content-type", "") and any(e.get("loc") == ("body",) for e in errors):
        return error_response(415, "unsupported_media_type",
                              "send the request body as JSON with 'Content-Type: application/json'.")
    return error_response(422, "validation_error", describe_validation(errors))


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette's own ``Allow`` names the first route's only)."""
    routes = request.app.router.routes
    return ", ".join(m for m in _METHODS
                     if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if isinstance(exc.__cause__, ClientDisconnect):  # FastAPI's JSON body reader wraps it in a 400
        return await client_gone(request, exc.__cause__)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    headers = dict(exc.headers or {})
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such endpoint: {request.url.path}; see /docs"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}; see /docs"
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    elif exc.status_code == 400 and message == "There was an error parsing the body":  # FastAPI's words
        message = ("the request body could not be parsed: send JSON encoded as UTF-8 (uploads: text/plain or a "
                   "well-formed multipart form).")
    return error_response(exc.status_code, code, message, headers)


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client hung up before sending its whole body: an everyday event, not an error. Nothing was read far
    enough to be stored; one line says so, and the reply (which nobody receives) is empty."""
    log.info("%s %s: the client disconnected before sending the whole request body; nothing was stored",
             request.method, request.url.path)
    return Response(status_code=400)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("%s %s: unexpected error", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal error; the server log has the details.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RagError, rag_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(ClientDisconnect, client_gone)
    app.add_exception_handler(Exception, unexpected_error)
