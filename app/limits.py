"""The global request body cap: `ROLODEX_MAX_BODY_BYTES` for every route but imports.

`POST /v1/imports` streams its body and caps it itself at `ROLODEX_IMPORT_MAX_BYTES` (5 MB, plus
room for the JSON envelope), answering with the importer's own problem type `bundle-too-large`;
the paths in `own_caps` are left to their route.

A declared `Content-Length` above the cap is answered 413 problem+json at once, before the body
is read. A body without one (chunked) is counted as it arrives; the read that crosses the cap
raises a 413 `HTTPException`, which FastAPI's body parsing and the import route's stream pass on
to the problem handler — so nothing past the cap is ever buffered, parsed or written.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import FieldError, problem_response
from auth import untrusted_json

IMPORT_ENVELOPE_BYTES = 1024
"""Room for the JSON wrapper around an import's JWS, above `import_max_bytes`."""


def too_large_detail(limit: int) -> str:
    return f"The request body is larger than {limit} bytes."


class BodySizeLimitMiddleware:
    """Refuse request bodies above `max_bytes`, except on the paths in `own_caps`."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, own_caps: Collection[str] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.own_caps = frozenset(own_caps)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.own_caps:
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = problem_response(
                Request(scope),
                slug="payload-too-large",
                title="Payload too large",
                status=413,
                detail=too_large_detail(limit),
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(status_code=413, detail=too_large_detail(limit))
            return message

        await self.app(scope, counted_receive, send)


def _is_json(scope: Scope) -> bool:
    raw: bytes = dict(scope.get("headers") or []).get(b"content-type", b"")
    media = raw.decode("latin-1").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class UntrustedJsonBodyMiddleware:
    """Parse every JSON request body once with auth/untrusted_json.py before any route sees it.

    A body nested too deep, with an oversized or non-finite number, a lone surrogate, a NUL or
    bytes that are not UTF-8 is answered 422 `validation-failed` here, in one place, instead of
    reaching a route (and Neo4j) as a value that breaks later. Sits inside the body cap, so it
    only ever buffers a capped body; the paths in `own_caps` parse their own bodies.
    """

    def __init__(self, app: ASGIApp, *, own_caps: Collection[str] = ()) -> None:
        self.app = app
        self.own_caps = frozenset(own_caps)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in ("POST", "PUT", "PATCH", "DELETE")
            or scope.get("path") in self.own_caps
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        except HTTPException as refused:  # the body cap, crossed while the body streamed in
            response = problem_response(
                Request(scope),
                slug="payload-too-large",
                title="Payload too large",
                status=refused.status_code,
                detail=str(refused.detail),
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)
            return
        body = b"".join(chunks)
        if body.strip():
            try:
                untrusted_json.loads(body)
            except untrusted_json.UntrustedJsonError as error:
                response = problem_response(
                    Request(scope),
                    slug="validation-failed",
                    title="Request validation failed",
                    status=422,
                    detail=f"The JSON body is refused: {error}",
                    errors=[FieldError(loc=["body"], msg=str(error), type="json_invalid")],
                )
                await response(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
