"""The web page and the embeddable widget script, from ``api/static`` (``/static/*`` is mounted in main)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from rag.errors import NotFoundError

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(tags=["site"], include_in_schema=False)


def _static(name: str, media_type: str) -> FileResponse:
    path = STATIC_DIR / name
    if not path.is_file():
        raise NotFoundError(f"{name} is not installed on this server (api/static/{name} is missing).")
    return FileResponse(path, media_type=media_type)


@router.get("/")
async def index_page() -> FileResponse:
    return _static("index.html", "text/html; charset=utf-8")


@router.get("/widget.js")
async def widget_script() -> FileResponse:
    return _static("widget.js", "text/javascript; charset=utf-8")
