"""Cursor pagination for every list route: the `PageDep` dependency and the generic `Page[T]`.

Every list answers `{"items": [...], "next_cursor": "…" | null}`. `limit` defaults to 50; values
above 200 are clamped to 200, values below 1 are refused (422). `cursor` is the opaque
`next_cursor` of the previous page; one the API did not issue is refused (422).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

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


def page_request(
    limit: Annotated[
        int,
        Query(
            ge=1,
            description=f"Items per page (1 to {MAX_LIMIT}); larger values are clamped to {MAX_LIMIT}.",
        ),
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=512, description="The `next_cursor` of the previous page."),
    ] = None,
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


PageDep = Annotated[PageRequest, Depends(page_request)]


def page_of(model: Callable[[Row], T], rows: RowPage) -> Page[T]:
    """Validate each row into `model` (e.g. `Person.model_validate`) and keep the cursor."""
    return Page(items=[model(row) for row in rows.items], next_cursor=rows.next_cursor)
