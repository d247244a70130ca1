"""Liveness and readiness probes for orchestrators and load balancers."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from pydantic import BaseModel

from app.deps import GraphDep, SettingsDep
from app.errors import ServiceUnavailableError, problem_responses

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


class HealthStatus(BaseModel):
    status: str


@router.get("/healthz", summary="Liveness: the process is up", name="live")
async def live() -> HealthStatus:
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    summary="Readiness: Neo4j answers",
    name="ready",
    responses=problem_responses(ServiceUnavailableError),
)
async def ready(graph: GraphDep, settings: SettingsDep) -> HealthStatus:
    try:
        await graph.ping(settings.neo4j_ready_timeout_seconds)
    except Exception as error:
        log.warning("readiness check failed", extra={"error": type(error).__name__})
        raise ServiceUnavailableError(
            "Neo4j is not reachable; the service cannot serve requests right now.",
            headers={"Retry-After": "5"},
        ) from error
    return HealthStatus(status="ready")
