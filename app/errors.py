"""The error hierarchy and its rendering as `application/problem+json` (RFC 9457).

Handlers raise a `ProblemError` subclass; one exception handler renders it. Domain errors from
`graph/` (`NotFoundError`, `ConflictError`, `InvalidError`) render as 404, 409 and 422. Validation errors,
unknown routes and methods, and anything unexpected are rendered the same way. Responses never
carry a stack trace, Cypher or a secret: unexpected errors are logged with the request id and
answered with a generic 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph import errors as domain
from portability.errors import PortabilityError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://rolodex.dev/problems/"

log = logging.getLogger(__name__)


def problem_type(slug: str) -> str:
    """The stable `type` URI of a problem, e.g. `https://rolodex.dev/problems/not-found`."""
    return PROBLEM_TYPE_BASE + slug


class FieldError(BaseModel):
    """One invalid input field."""

    loc: list[str | int] = Field(description="Where the bad value is, e.g. ['body', 'email'].")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, as every error response of this API carries them."""

    type: str = Field(description="Stable URI naming the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = Field(default=None, description="Field errors on 422.")


class ProblemError(Exception):
    """Base of every error a handler raises on purpose. Subclasses fix slug, title and status."""

    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal server error"
    status: ClassVar[int] = 500

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


class BadRequestError(ProblemError):
    slug, title, status = "bad-request", "Bad request", 400


class UnauthorizedError(ProblemError):
    slug, title, status = "unauthorized", "Authentication required", 401


class ForbiddenError(ProblemError):
    slug, title, status = "forbidden", "Forbidden", 403


class NotFoundError(ProblemError):
    slug, title, status = "not-found", "Not found", 404


class ConflictError(ProblemError):
    slug, title, status = "conflict", "Conflict", 409


class PayloadTooLargeError(ProblemError):
    slug, title, status = "payload-too-large", "Payload too large", 413


class UnsupportedMediaTypeError(ProblemError):
    slug, title, status = "unsupported-media-type", "Unsupported media type", 415


class UnprocessableError(ProblemError):
    slug, title, status = "unprocessable", "Unprocessable content", 422


class RateLimitedError(ProblemError):
    slug, title, status = "rate-limited", "Too many requests", 429


class ServiceUnavailableError(ProblemError):
    slug, title, status = "service-unavailable", "Service unavailable", 503


_STATUS_SLUGS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("rate-limited", "Too many requests"),
}


def problem_response(
    request: Request,
    *,
    slug: str,
    title: str,
    status: int,
    detail: str | None = None,
    errors: Sequence[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    body = Problem(
        type=problem_type(slug),
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=getattr(request.state, "request_id", None),
        errors=list(errors) if errors is not None else None,
    ).model_dump(exclude_none=True)
    body.update(extra or {})
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE
    )


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    return [
        FieldError(
            loc=list(error.get("loc", ())),
            msg=str(error.get("msg", "")),
            type=str(error.get("type", "")),
        )
        for error in exc.errors()
    ]


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request,
        slug=exc.slug,
        title=exc.title,
        status=exc.status,
        detail=exc.detail,
        headers=exc.headers,
        extra=exc.extra,
    )


_DOMAIN_PROBLEMS: tuple[tuple[type[domain.DomainError], type[ProblemError]], ...] = (
    (domain.NotFoundError, NotFoundError),
    (domain.ConflictError, ConflictError),
    (domain.InvalidError, UnprocessableError),
)


async def _on_domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, domain.DomainError)
    problem = next(
        (problem for kind, problem in _DOMAIN_PROBLEMS if isinstance(exc, kind)), ProblemError
    )
    return problem_response(
        request, slug=problem.slug, title=problem.title, status=problem.status, detail=exc.detail
    )


async def _on_portability(request: Request, exc: Exception) -> JSONResponse:
    """Bundle, receipt and import refusals carry their own slug, title and status."""
    assert isinstance(exc, PortabilityError)
    return problem_response(
        request, slug=exc.slug, title=exc.title, status=exc.status, detail=exc.detail
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    fields = ", ".join(".".join(str(part) for part in error.loc) for error in errors[:5])
    return problem_response(
        request,
        slug="validation-failed",
        title="Request validation failed",
        status=422,
        detail=f"Fix the invalid fields: {fields}" if fields else "The request is invalid.",
        errors=errors,
    )


# FastAPI's answer to a body it cannot decode at all (e.g. bytes that are not UTF-8).
_UNPARSABLE_BODY = "There was an error parsing the body"


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
        # The same answer as a body that is not JSON: 422 with a field error on the body.
        return problem_response(
            request,
            slug="validation-failed",
            title="Request validation failed",
            status=422,
            detail="The body could not be read: send UTF-8 JSON.",
            errors=[FieldError(loc=["body"], msg="Not UTF-8 JSON.", type="json_invalid")],
        )
    slug, title = _STATUS_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
    if exc.status_code == 404 and detail in (None, "Not Found"):
        detail = f"No resource at {request.url.path}."
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    return problem_response(
        request, slug=slug, title=title, status=exc.status_code, detail=detail, headers=exc.headers
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(domain.DomainError, _on_domain)
    app.add_exception_handler(PortabilityError, _on_portability)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)


def problem_responses(
    *errors: type[ProblemError] | type[PortabilityError],
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting the problems a route may answer with."""
    responses: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        responses[error.status] = {
            "model": Problem,
            "description": error.title,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return responses
