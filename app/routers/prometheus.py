"""`GET /metrics`: the Prometheus exposition of app/telemetry.py, for operators and scrapers.

Served only while `ROLODEX_METRICS_ENABLED` (default on; off → 404). It needs a bearer: either
an admin access token, or the static scrape token `ROLODEX_METRICS_TOKEN` when one is set
(compared in constant time) — Prometheus' `authorization` setting sends it. The metrics carry
no personal data (route templates, outcomes, problem types, counts), but they do reveal traffic,
so they are not public; being on loopback grants nothing (a reverse proxy on the same host would
make every request look local).
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from app import telemetry
from app.deps import GraphDep
from app.errors import ForbiddenError, NotFoundError, UnauthorizedError, problem_responses
from auth.errors import ForbiddenRoleError, NotAuthenticatedError
from auth.principals import Role
from auth.security import authenticate_request, bearer_scheme
from graph import outbox

router = APIRouter(tags=["observability"])
log = logging.getLogger(__name__)


async def metrics_reader(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> None:
    settings = request.app.state.settings
    if not settings.metrics_enabled:
        raise NotFoundError(f"No resource at {request.url.path}.")
    if credentials is None or not credentials.credentials:
        raise NotAuthenticatedError()
    scrape_token = settings.metrics_token
    if scrape_token is not None and hmac.compare_digest(
        credentials.credentials.encode(), scrape_token.get_secret_value().encode()
    ):
        return
    principal = await authenticate_request(request)
    if principal.role is not Role.ADMIN:
        raise ForbiddenRoleError("Only admins and the metrics scraper read /metrics.")


@router.get(
    "/metrics",
    name="metrics",
    summary="Prometheus metrics (admins, or the scrape token)",
    response_class=Response,
    dependencies=[Depends(metrics_reader)],
    responses={
        200: {
            "content": {telemetry.CONTENT_TYPE: {"schema": {"type": "string"}}},
            "description": "The Prometheus text exposition format.",
        },
        **problem_responses(UnauthorizedError, ForbiddenError, NotFoundError),
    },
)
async def metrics(graph: GraphDep) -> Response:
    try:
        telemetry.set_outbox_depth(await outbox.depth_by_status(graph))
    except Exception as error:  # metrics must answer even while Neo4j does not
        log.warning("outbox depth unavailable", extra={"error": type(error).__name__})
    return Response(content=telemetry.render(), media_type=telemetry.CONTENT_TYPE)
