"""The app factory: `create_app()` builds settings, wires routers and error handlers, and owns the
Neo4j driver and the outbound HTTP client through the lifespan (opened at start, closed after `yield`).

Run it with `rolodex serve` or `uvicorn --factory app.main:create_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from app import telemetry
from app.errors import Problem, install_problem_handlers, problem_response
from app.limits import BodySizeLimitMiddleware, UntrustedJsonBodyMiddleware
from app.logs import configure_logging
from app.middleware import RequestContextMiddleware
from app.openapi_extras import document_common_problems
from app.policy import enforce, operation_id
from app.routers import (
    audit,
    bundles,
    calendar,
    consents,
    contacts,
    credentials,
    dashboard,
    health,
    imported,
    imports,
    matching,
    mentorships,
    metrics,
    mypage,
    network,
    oauth,
    people,
    platforms,
    preferences,
    programs,
    prometheus,
    sessions,
    webhook_deliveries,
    wellknown,
)
from app.security_setup import (
    build_authenticator,
    build_importer,
    build_keystore,
    build_outbound_policy,
    build_presentation_pipeline,
    build_rate_limiter,
    build_secret_verifier,
)
from app.settings import Settings
from app.webhooks import WebhookWorker
from auth.errors import AuthError
from auth.outbound import OutboundClient
from graph.db import connect
from graph.imports import sweep_staging
from graph.schema import migrate

log = logging.getLogger(__name__)

API_VERSION = "0.1.0"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    graph = await connect(
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
        attempts=settings.neo4j_connect_attempts,
        backoff_seconds=settings.neo4j_connect_backoff_seconds,
    )
    graph.observer = telemetry.observe_transaction
    outbound = OutboundClient(build_outbound_policy(settings))
    keystore = build_keystore(settings)
    app.state.keystore = keystore
    app.state.authenticator = build_authenticator(settings, keystore, outbound)
    app.state.rate_limiter = build_rate_limiter(settings, graph)
    app.state.secret_verifier = build_secret_verifier(settings)
    try:
        if settings.migrate_on_startup:
            applied = await migrate(graph)
            if applied:
                log.info("schema migrated", extra={"versions": [m.version for m in applied]})
        swept = await sweep_staging(
            graph, datetime.now(UTC) - timedelta(seconds=settings.import_staging_ttl_seconds)
        )
        if swept:
            log.warning("swept staged items of unfinished imports", extra={"items": swept})
        app.state.graph = graph
        app.state.outbound = outbound
        app.state.bundle_importer = build_importer(settings, graph, outbound)
        app.state.presentations = build_presentation_pipeline(settings, graph, outbound, keystore)
        worker = WebhookWorker(graph, outbound, keystore, settings)
        app.state.webhook_worker = worker
        worker_task = (
            asyncio.create_task(worker.run_forever()) if settings.webhook_worker_enabled else None
        )
        try:
            yield
        finally:
            if worker_task is not None:
                worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker_task
    finally:
        app.state.secret_verifier.close()
        await outbound.aclose()
        await graph.close()


async def _on_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("neo4j unavailable during request", extra={"error": type(exc).__name__})
    return problem_response(
        request,
        slug="service-unavailable",
        title="Service unavailable",
        status=503,
        detail="The database is not reachable right now; retry shortly.",
        headers={"Retry-After": "5"},
    )


async def _on_auth_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuthError)
    extra = {"reason": exc.code} if exc.code else None
    return problem_response(
        request,
        slug=exc.slug,
        title=exc.title,
        status=exc.status,
        detail=exc.detail,
        headers=exc.headers,
        extra=extra,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Rolodex",
        version=API_VERSION,
        summary="Portable mentor-mentee relationship graphs, carried across platforms as signed, consented bundles.",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # FastAPI's own /docs and /redoc load their scripts from a CDN; the service serves its
        # own copy of Swagger UI at /docs instead (app/routers/dashboard.py).
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    app.add_exception_handler(ServiceUnavailable, _on_database_unavailable)
    app.add_exception_handler(SessionExpired, _on_database_unavailable)
    app.add_exception_handler(AuthError, _on_auth_error)
    # Starlette wraps the last added middleware outermost: the request context (request id,
    # access log, latency) sees every answer, the body cap's 413 included.
    app.add_middleware(UntrustedJsonBodyMiddleware, own_caps={imports.IMPORTS_PATH})
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        own_caps={imports.IMPORTS_PATH},  # streamed and capped at import_max_bytes by the route
    )
    app.add_middleware(RequestContextMiddleware)
    # Every operation passes the policy's caller check (app/policy.py) before its handler.
    policy = [Depends(enforce)]
    app.include_router(health.router, dependencies=policy)
    app.include_router(prometheus.router, dependencies=policy)
    app.include_router(wellknown.router, dependencies=policy)
    app.include_router(oauth.router, dependencies=policy)
    for resource in (
        people,
        contacts,
        network,
        programs,
        mentorships,
        sessions,
        platforms,
        consents,
        preferences,
        bundles,
        imports,
        credentials,
        imported,
        webhook_deliveries,
        metrics,
        matching,
        audit,
        calendar,
        mypage,
    ):
        app.include_router(resource.router, dependencies=policy)
    app.include_router(mypage.page_router)
    dashboard.install_dashboard(app, settings.dashboard_dir)
    _register_problem_schema(app)
    return app


def _register_problem_schema(app: FastAPI) -> None:
    """Make sure `#/components/schemas/Problem` exists even before any route references it."""
    original = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in (
            Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            .get("$defs", {})
            .items()
        ):
            components.setdefault(name, definition)
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        problem.pop("$defs", None)
        components.setdefault("Problem", problem)
        document_common_problems(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
