"""Liveness and readiness probes (open, not rate limited)."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import LibraryDep
from ..responses import errors
from ..schemas import Health, Ready

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    return Health()


@router.get("/readyz", response_model=Ready, summary="The index is loaded (503 until it is)", responses=errors(503))
async def readyz(lib: LibraryDep) -> Ready:
    stats = lib.stats()
    return Ready(articles=int(stats["articles"]), chunks=int(stats["chunks"]), model=str(stats["model"]),
                 dim=int(stats["dim"]), version=stats["version"] and str(stats["version"]))
