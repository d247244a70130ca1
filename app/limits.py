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

from app.errors import problem_response

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
