"""Cursor pagination for every list endpoint: `?limit=&cursor=` in, `Page[T]` out.

`limit` defaults to 50 and must lie within 1..200 (422 otherwise); `cursor` is the opaque
`next_cursor` of the previous page (422 when it was not issued by this API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from app.errors import UnprocessableError
from graph.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Cursor,
    InvalidCursorError,
    PageRequest,
    RowPage,
)
from graph.values import Row

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


def page_request(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-200).")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=512, description="`next_cursor` of the previous page.")
    ] = None,
) -> PageRequest:
    try:
        after = Cursor.decode(cursor) if cursor else None
    except InvalidCursorError as error:
        raise UnprocessableError(
            "The cursor is not one this API issued; start again without it."
        ) from error
    return PageRequest(limit=limit, after=after)


PageDep = Annotated[PageRequest, Depends(page_request)]


def to_response(rows: RowPage, convert: Callable[[Row], T]) -> Page[T]:
    return Page[T](items=[convert(row) for row in rows.items], next_cursor=rows.next_cursor)
