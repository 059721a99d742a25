"""The FastAPI app: ``create_app(settings, library)``, and ``app`` for ``uvicorn api.main:app``.

Importing this module only reads settings; the index and model load in the lifespan, in a background thread, so
``/healthz`` answers at once while ``/readyz`` and the data endpoints answer 503 until the library is ready.

Browsers may call the API only from the same origin unless ``RAG_CORS_ORIGINS`` lists the host sites of the widget;
the access log never shows query strings (:mod:`api.accesslog`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from rag.config import Settings
from rag.library import Library

from .accesslog import redact_access_log
from .bodylimit import BodyLimit, upload_aware_limit
from .errors import install_error_handlers
from .openapi import install_openapi
from .routes import articles, ask, chat, feedback, health, search, site, suggestions
from .state import AppState, Loader

log = logging.getLogger(__name__)

DESCRIPTION = """Questions and answers with verified citations over Chinese trade-union news pages.

Errors always look like `{"error": {"code": "...", "message": "..."}}`. Writes need `Authorization: Bearer <key>`
(keys from `RAG_API_KEYS`); reads too when `RAG_READ_REQUIRES_KEY` is set.
"""


def _lifespan(loader: Loader):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state: AppState = app.state.rag
        s = state.settings
        if not logging.getLogger().handlers:  # plain `uvicorn api.main:app` configures only its own loggers
            logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
            logging.getLogger("bm25s").setLevel(logging.WARNING)
        redact_access_log()
        log.info("starting: index %s, model %s, %d API key(s), CORS %s, trusted proxies %s", s.index_dir, s.model,
                 len(s.api_keys), s.cors_origins or "none (same origin only)", s.trusted_proxies or "none")
        state.start_loading(loader)
        yield

    return lifespan


def create_app(settings: Settings | None = None, library: Library | None = None, *,
               loader: Loader = Library.open) -> FastAPI:
    """The app for ``settings`` (default: from ``RAG_*``); pass ``library`` to skip loading (tests, embedding)."""
    if settings is None:
        settings = library.settings if library is not None else Settings()
    app = FastAPI(title="工会新闻问答", version="0.1.0", description=DESCRIPTION, lifespan=_lifespan(loader))
    app.state.rag = AppState(settings, library)
    redact_access_log()
    install_error_handlers(app)
    install_openapi(app, settings)
    # added inside-out: CORS is outermost, so even a 413 from the body limit carries CORS headers
    app.add_middleware(BodyLimit, limit_for=upload_aware_limit(settings.max_upload_bytes))
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                       allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                       allow_headers=["Authorization", "Content-Type", "Accept"],
                       expose_headers=["Retry-After"], max_age=600)
    for module in (health, search, ask, chat, articles, feedback, suggestions, site):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=site.STATIC_DIR, check_dir=False), name="static")
    return app


app = create_app()
