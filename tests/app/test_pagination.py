"""app/pagination.py: the limit is clamped, cursors are checked, pages keep their shape."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app.pagination import Page, page_of, page_request
from graph.db import Graph
from graph.pagination import MAX_LIMIT, Cursor, RowPage
from tests import builders
from tests.conftest import TokenFactory


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


async def test_every_list_answers_a_link_to_the_next_page(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    """Beside `next_cursor`, `Link: <…>; rel="next"` with the same query and the cursor; none on
    the last page. Checked on lists of three routers (the header comes from the one helper)."""
    cohort = await builders.cohort(graph)
    for name in ("Ada", "Grace", "Linus"):
        await builders.person(graph, name, cohort_id=cohort["id"])
    await builders.cohort(graph, program_id=cohort["program_id"])
    await builders.cohort(graph)  # a second program
    admin = tokens.headers("op", "admin")
    for path, params in (
        ("/v1/people", {"limit": "2", "program_id": cohort["program_id"]}),
        ("/v1/programs", {"limit": "1"}),
        (f"/v1/programs/{cohort['program_id']}/cohorts", {"limit": "1"}),
    ):
        first = client.get(path, params=params, headers=admin)
        assert first.status_code == 200, first.text
        cursor = first.json()["next_cursor"]
        assert cursor is not None, path
        link = first.headers["link"]
        assert link.endswith('>; rel="next"'), link
        url = httpx.URL(link[1 : link.index(">")])
        assert url.path == path
        assert url.params["cursor"] == cursor
        for key, value in params.items():
            assert url.params[key] == value
        last = client.get(f"{url.path}?{url.query.decode()}", headers=admin)
        assert last.status_code == 200
        assert last.json()["next_cursor"] is None, path
        assert "link" not in last.headers
