"""Request body limits (pure ASGI middleware, so streamed responses pass through untouched).

A declared ``Content-Length`` over the limit is refused before anything is read; a body sent without one (chunked)
is counted while it is read and refused as soon as it crosses the limit. Uploads get their own, larger limit.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response

JSON_LIMIT = 1024 * 1024
FEEDBACK_LIMIT = 64 * 1024  # a feedback record is stored in at most 4 KB: a bigger body is refused unread
MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around an uploaded file


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes; send less.")


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class BodyLimit:
    """``limit_for(scope)`` says how many body bytes a request may carry."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            exc = BodyTooLarge(limit)
            await error_response(413, "payload_too_large", exc.detail)(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:
            # normally the exception handler has already answered; this catches reads outside a route
            if started:
                raise
            await error_response(413, "payload_too_large", exc.detail)(scope, receive, send)


def upload_aware_limit(upload_bytes: int, upload_path: str = "/api/articles",
                       feedback_path: str = "/api/feedback") -> Callable[[Scope], int]:
    """JSON bodies get :data:`JSON_LIMIT`; ``POST /api/articles`` gets the page limit plus multipart overhead, and
    ``POST /api/feedback`` :data:`FEEDBACK_LIMIT`."""

    def limit_for(scope: Scope) -> int:
        path = scope.get("path", "").rstrip("/")
        if scope.get("method") == "POST" and path == upload_path:
            return upload_bytes + MULTIPART_SLACK
        if scope.get("method") == "POST" and path == feedback_path:
            return FEEDBACK_LIMIT
        return JSON_LIMIT

    return limit_for
