"""app/pagination.py: the limit is clamped, cursors are checked, pages keep their shape."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from app.pagination import Page, page_of, page_request
from graph.pagination import MAX_LIMIT, Cursor, RowPage


class Item(BaseModel):
    id: str


def test_defaults_and_clamping() -> None:
    assert page_request().limit == 50
    assert page_request(limit=MAX_LIMIT + 1000).limit == MAX_LIMIT
    assert page_request(limit=7).limit == 7


def test_cursor_is_decoded_or_refused() -> None:
    cursor = Cursor(datetime(2030, 1, 1, tzinfo=UTC), "per_x")
    assert page_request(cursor=cursor.encode()).after == cursor
    with pytest.raises(RequestValidationError):
        page_request(cursor="bogus")


def test_page_shape() -> None:
    page = page_of(Item.model_validate, RowPage([{"id": "a"}], "next"))
    assert page == Page[Item](items=[Item(id="a")], next_cursor="next")
    assert page.model_dump() == {"items": [{"id": "a"}], "next_cursor": "next"}
