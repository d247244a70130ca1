"""Cursor pagination for every list route: the `PageDep` dependency and the generic `Page[T]`.

Every list answers `{"items": [...], "next_cursor": "…" | null}`. `limit` defaults to 50; values
above 200 are clamped to 200, values below 1 are refused (422). `cursor` is the opaque
`next_cursor` of the previous page; one the API did not issue is refused (422). Beside
`next_cursor`, a page that has a next one answers an RFC 8288 header
`Link: <{the same URL with cursor=next_cursor}>; rel="next"`.

`page_request` (the `PageDep` dependency) remembers the request's URL and response for the
duration of the request (a context variable), so `page_of` can add the header for every list
without each route passing them along.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.datastructures import URL

from graph.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Cursor,
    InvalidCursorError,
    PageRequest,
    RowPage,
)
from graph.values import Row

T = TypeVar("T", bound=BaseModel)


class Page(BaseModel, Generic[T]):
    """One page of a list, oldest first."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


@dataclass(frozen=True)
class _ListCall:
    url: URL
    response: Response


_list_call: ContextVar[_ListCall | None] = ContextVar("rolodex_list_call", default=None)


def next_link(url: URL, next_cursor: str) -> str:
    """The `Link` header value pointing at the next page: the same query, the new cursor."""
    return f'<{url.include_query_params(cursor=next_cursor)}>; rel="next"'


LIMIT_DESCRIPTION = f"Items per page (1 to {MAX_LIMIT}); larger values are clamped to {MAX_LIMIT}."
CURSOR_DESCRIPTION = "The `next_cursor` of the previous page."


def page_request(
    limit: Annotated[int, Query(ge=1, description=LIMIT_DESCRIPTION)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512, description=CURSOR_DESCRIPTION)] = None,
) -> PageRequest:
    try:
        after = Cursor.decode(cursor) if cursor else None
    except InvalidCursorError as error:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "cursor"),
                    "msg": "Not a cursor this API issued; start again without one.",
                    "type": "value_error",
                }
            ]
        ) from error
    return PageRequest(limit=min(limit, MAX_LIMIT), after=after)


async def _remembered_page_request(
    request: Request,
    response: Response,
    limit: Annotated[int, Query(ge=1, description=LIMIT_DESCRIPTION)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512, description=CURSOR_DESCRIPTION)] = None,
) -> PageRequest:
    """`page_request` as the routes' dependency (same parameters, validated at the same level),
    remembering the request's URL and response for `page_of`. Async, so it runs in the request's
    own context and the endpoint sees the context variable."""
    page = page_request(limit, cursor)
    _list_call.set(_ListCall(request.url, response))
    return page


PageDep = Annotated[PageRequest, Depends(_remembered_page_request)]


def page_of(model: Callable[[Row], T], rows: RowPage) -> Page[T]:
    """Validate each row into `model` (e.g. `Person.model_validate`), keep the cursor, and answer
    the `Link: <…>; rel="next"` header when there is a next page."""
    call = _list_call.get()
    if rows.next_cursor is not None and call is not None:
        call.response.headers["Link"] = next_link(call.url, rows.next_cursor)
    return Page(items=[model(row) for row in rows.items], next_cursor=rows.next_cursor)
