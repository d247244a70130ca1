"""ASGI middleware: a request id on every response, an access log line with the route template,
the latency histogram of app/telemetry.py, and a last-resort 500.

It also sets the headers personal data needs: `X-Content-Type-Options: nosniff` on every answer,
and `Cache-Control: no-store` on every answer of the API (`/v1`) and the token endpoint
(`/oauth`) that does not set its own (the calendar feed does), errors included, so no shared or browser cache keeps a profile, a rolodex or a
consent receipt.

This sits inside Starlette's own error middleware, so it can still add `X-Request-ID` to the
problem+json answer of an unexpected error and log the error with the id — without ever putting
the traceback in the response.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import telemetry
from app.errors import problem_response
from app.logs import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")

log = logging.getLogger("rolodex.access")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _ACCEPTABLE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        path = str(scope.get("path", ""))
        no_store = path == "/v1" or path.startswith(("/v1/", "/oauth/"))
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                headers["X-Content-Type-Options"] = "nosniff"
                if no_store and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error", extra={"path": _loggable_path(scope)})
            if response_started:
                raise
            response = problem_response(
                Request(scope),
                slug="internal-error",
                title="Internal server error",
                status=500,
                detail="An unexpected error occurred. Quote the request id when reporting it.",
            )
            await response(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None)
            telemetry.observe_request(str(scope.get("method")), route, status, elapsed)
            log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "path": _loggable_path(scope),
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            request_id_var.reset(token)


SECRET_PATH_PREFIXES = ("/v1/calendar-feeds/",)
"""Paths whose rest is a secret (the token of a calendar feed URL), matched by a route or not."""


def _loggable_path(scope: Scope) -> object:
    """The request path, with the secret part of a path under `SECRET_PATH_PREFIXES` replaced."""
    path = scope.get("path")
    for prefix in SECRET_PATH_PREFIXES:
        if isinstance(path, str) and path.startswith(prefix):
            return prefix + "{redacted}"
    return path
