"""Dependencies as ``Annotated`` aliases: the app state, settings, the library, the caller, access and rate limits.

All are ``async``: they are cheap, and sync ones would each take a hop through the threadpool that ingests and
answers share.

Keys are compared with :func:`hmac.compare_digest` against every configured key, and never logged: a caller is
identified by the key's position in ``RAG_API_KEYS``, not by the key itself.
The caller's address is the TCP peer, or the forwarded client behind a proxy in ``RAG_TRUSTED_PROXIES``
(:mod:`api.clientip`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rag.config import Settings
from rag.errors import AuthError, ForbiddenError
from rag.library import Library

from .clientip import UNTRUSTED_FORWARD, peers_for
from .state import AppState


async def get_state(request: Request) -> AppState:
    return request.app.state.rag


StateDep = Annotated[AppState, Depends(get_state)]


async def get_settings(state: StateDep) -> Settings:
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_library(state: StateDep) -> Library:
    """The loaded library, or 503 while the index is loading (or failed to load)."""
    return state.require_library()


LibraryDep = Annotated[Library, Depends(get_library)]


def bearer_token(header: str | None) -> str | None:
    """``"Bearer abc"`` -> ``"abc"``; no header -> None; any other scheme or an empty token -> ``""``."""
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def match_key(token: str, keys: list[str]) -> int | None:
    """Position of ``token`` in ``keys`` (constant time per key; every key is compared), else None."""
    found = None
    given = token.encode("utf-8")
    for i, key in enumerate(keys):
        if hmac.compare_digest(given, key.encode("utf-8")):
            found = i
    return found


@dataclass(frozen=True)
class Caller:
    ip: str
    sent_key: bool  # an Authorization header was present
    key: int | None  # position of the matching configured key
    untrusted_forward: bool = False  # sent X-Forwarded-For without being a trusted proxy

    @property
    def buckets(self) -> tuple[str, ...]:
        """Rate-limit buckets: a valid key has its own; everyone else is counted by address (so made-up keys don't
        help), and a forged X-Forwarded-For also against the one budget all such requests share."""
        if self.key is not None:
            return (f"key:{self.key}",)
        if self.untrusted_forward:
            return f"ip:{self.ip}", UNTRUSTED_FORWARD
        return (f"ip:{self.ip}",)


async def get_caller(request: Request, settings: SettingsDep) -> Caller:
    token = bearer_token(request.headers.get("authorization"))
    key = match_key(token, settings.api_keys) if token else None
    peer = request.client.host if request.client else "unknown"
    ip, untrusted = peers_for(tuple(settings.trusted_proxies)).client(peer,
                                                                      request.headers.getlist("x-forwarded-for"))
    return Caller(ip=ip, sent_key=token is not None, key=key, untrusted_forward=untrusted)


CallerDep = Annotated[Caller, Depends(get_caller)]


def _who(caller: Caller) -> str:
    if caller.key is not None:
        return "this API key"
    if caller.untrusted_forward:
        return f"{caller.ip} or clients sending X-Forwarded-For from peers not in RAG_TRUSTED_PROXIES"
    return caller.ip


async def rate_limit(state: StateDep, caller: CallerDep) -> None:
    state.limiter.hit(caller.buckets, _who(caller))


def _authenticate(caller: Caller, settings: Settings, what: str) -> None:
    if not settings.api_keys:
        raise ForbiddenError(f"{what} is disabled on this server because no API key is configured; "
                             "set RAG_API_KEYS=key1,key2 and restart it.")
    if caller.key is None:
        if caller.sent_key:
            raise AuthError("the API key is not valid; send a configured key as 'Authorization: Bearer <key>'.")
        raise AuthError(f"{what} needs an API key; send it as 'Authorization: Bearer <key>'.")


async def require_read(caller: CallerDep, settings: SettingsDep) -> None:
    """Reads are open unless ``RAG_READ_REQUIRES_KEY`` is set."""
    if settings.read_requires_key:
        _authenticate(caller, settings, "reading")


# documents the scheme in OpenAPI (so clients and fuzzers know writes need it); the check is ``get_caller``'s
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="apiKey",
                           description="an API key from RAG_API_KEYS, sent as 'Authorization: Bearer <key>'")


async def require_write(caller: CallerDep, settings: SettingsDep,
                        _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]) -> None:
    """Writes (upload, delete, reading feedback) always need a configured key."""
    _authenticate(caller, settings, "this operation")


ReadAccess = Depends(require_read)
WriteAccess = Depends(require_write)
RateLimit = Depends(rate_limit)
