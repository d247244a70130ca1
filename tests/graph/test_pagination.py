"""graph/pagination.py: opaque cursors round-trip; tampered ones are refused; pages cut right."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from graph.pagination import MAX_LIMIT, Cursor, InvalidCursorError, PageRequest, to_page

AT = datetime(2030, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)


def test_cursor_round_trips_and_is_url_safe() -> None:
    cursor = Cursor(AT, "per_a-b_c")
    text = cursor.encode()
    assert Cursor.decode(text) == cursor
    assert all(ch.isalnum() or ch in "-_" for ch in text)


@pytest.mark.parametrize(
    "text",
    [
        "not base64 !",
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b'["2030-01-01T00:00:00", "x"]').decode(),  # naive
        base64.urlsafe_b64encode(b'{"at": "x"}').decode(),
        "",
    ],
)
def test_tampered_cursors_are_refused(text: str) -> None:
    with pytest.raises(InvalidCursorError):
        Cursor.decode(text)


@pytest.mark.parametrize("limit", [0, MAX_LIMIT + 1])
def test_limits_outside_the_range_are_refused(limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        PageRequest(limit=limit)


def test_to_page_cuts_and_points_at_the_last_item() -> None:
    rows = [{"at": AT, "id": str(i)} for i in range(3)]
    page = to_page(rows, PageRequest(limit=2), lambda row: (row["at"], row["id"]))
    assert [r["id"] for r in page.items] == ["0", "1"]
    assert page.next_cursor == Cursor(AT, "1").encode()
    last = to_page(rows[:2], PageRequest(limit=2), lambda row: (row["at"], row["id"]))
    assert last.next_cursor is None
