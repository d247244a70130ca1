"""Keyset (cursor) pagination shared by every list query.

Lists are ordered by a timestamp and then the id, so a page never skips or repeats an item when
others are added meanwhile. The cursor is opaque to clients: base64url of `[timestamp, id]` of the
last item of the page. Queries fetch `limit + 1` rows to learn whether another page follows.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.values import Row, fetch_all

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class InvalidCursorError(ValueError):
    """The cursor was not issued by this API (or was altered)."""


@dataclass(frozen=True)
class Cursor:
    at: datetime
    id: str

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            at, item_id = json.loads(raw)
            moment = datetime.fromisoformat(at)
        except (binascii.Error, ValueError, TypeError) as error:
            raise InvalidCursorError(text) from error
        if not isinstance(item_id, str) or moment.tzinfo is None:
            raise InvalidCursorError(text)
        return cls(moment, item_id)


@dataclass(frozen=True)
class PageRequest:
    """What a list query needs: how many items, and after which cursor."""

    limit: int = DEFAULT_LIMIT
    after: Cursor | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be within 1..{MAX_LIMIT}")

    def params(self) -> dict[str, Any]:
        """Query parameters used by `after_clause` and the `LIMIT $fetch` of a list query."""
        return {
            "after_at": self.after.at if self.after else None,
            "after_id": self.after.id if self.after else None,
            "fetch": self.limit + 1,
        }


@dataclass(frozen=True)
class RowPage:
    items: list[Row]
    next_cursor: str | None


def after_clause(at: LiteralString, item_id: LiteralString) -> LiteralString:
    """A WHERE condition keeping rows after the cursor in `(at, id)` order.

    `at` and `item_id` are expressions written in our own code (e.g. `p.created_at`), never input.
    """
    return (
        f"($after_at IS NULL OR {at} > $after_at OR ({at} = $after_at AND {item_id} > $after_id))"
    )


def to_page(
    rows: Sequence[Row],
    page: PageRequest,
    key: Callable[[Row], tuple[datetime, str]],
) -> RowPage:
    """Cut the `limit + 1` fetched rows to a page and make the cursor of the next one."""
    items = list(rows[: page.limit])
    if len(rows) <= page.limit or not items:
        return RowPage(items, None)
    at, item_id = key(items[-1])
    return RowPage(items, Cursor(at, item_id).encode())


async def read_page(
    graph: Graph,
    cypher: LiteralString,
    column: str,
    page: PageRequest,
    *,
    order_key: str = "created_at",
    **params: Any,
) -> RowPage:
    """Run a list query (which orders by `(order_key, id)`, filters with `after_clause` and ends
    in `LIMIT $fetch`) in a read transaction and cut its maps in `column` to a page."""

    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        rows = await fetch_all(tx, cypher, **params, **page.params())
        return [row[column] for row in rows]

    rows = await graph.read(work)
    return to_page(rows, page, lambda row: (row[order_key], row["id"]))
