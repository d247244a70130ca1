"""graph/values.py: driver values come back as plain Python, datetimes in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from graph.db import Graph
from graph.values import lock, plain, read_map


async def test_temporal_values_become_plain_utc(graph: Graph) -> None:
    moment = datetime(2030, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    row = await read_map(
        graph, "RETURN {at: $at, on: date('2030-01-02'), list: [$at]} AS value", "value", at=moment
    )
    assert row is not None
    assert row["at"] == moment
    assert row["at"].tzinfo == UTC
    assert row["on"] == date(2030, 1, 2)
    assert row["list"] == [moment]


def test_plain_leaves_other_values_alone() -> None:
    assert plain({"a": [1, "x", None]}) == {"a": [1, "x", None]}


def test_lock_takes_identifiers_only() -> None:
    assert lock("m") == "SET m._lock = true REMOVE m._lock"
    with pytest.raises(ValueError, match="variable"):
        lock("m}) DETACH DELETE (n")
