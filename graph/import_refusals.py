"""Refused imports, counted: `(:ImportRefusals {slot, platform_id, problem, count})`.

A refused bundle writes nothing about anyone, yet admins need to know how many imports were
refused, per week and per platform (a partner whose integration broke). Each refusal adds 1 to
the counter of its UTC quarter hour (`slot`, the start of the 15 minutes it fell in), its
platform and its problem type, in its own small write transaction. The counter holds nothing
else: no person, no bundle id, no message, no address.

Quarter hours because weeks are read in any IANA zone: every zone in use today is offset from
UTC by a whole number of quarter hours, so a week in any of them is a whole number of slots and
the counts per week are exact (docs/metrics.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import LiteralString

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.values import execute

SLOT = timedelta(minutes=15)
UNKNOWN_PLATFORM = "unknown"
"""The platform of a refusal whose sender is not an authenticated partner and whose bundle names
no registered issuer."""


def slot_of(moment: datetime) -> datetime:
    """The start (UTC) of the quarter hour `moment` (an aware datetime) falls in."""
    utc = moment.astimezone(UTC)
    return utc.replace(minute=utc.minute - utc.minute % 15, second=0, microsecond=0)


COUNT_REFUSAL: LiteralString = """
MERGE (r:ImportRefusals {key: $key})
  ON CREATE SET r.slot = $slot, r.platform_id = $platform_id, r.problem = $problem, r.count = 0
SET r.count = r.count + 1
"""

REFUSALS_PER_WEEK: LiteralString = """
UNWIND $weeks AS w
CALL (w) {
  MATCH (r:ImportRefusals)
  WHERE r.slot >= w.start AND r.slot < w.end
  WITH r.platform_id AS platform_id, r.problem AS problem, r.count AS refused
  WITH platform_id, problem, sum(refused) AS refused
  ORDER BY platform_id, problem
  RETURN collect({platform_id: platform_id, problem: problem, count: refused}) AS refusals
}
RETURN w.key AS week, refusals
"""
"""Per week, the refusals by platform and problem type (ordered), for the weekly metrics."""


async def count_refusal(graph: Graph, *, at: datetime, platform_id: str, problem: str) -> None:
    """Add one refused import of `platform_id` with problem slug `problem` at `at`."""
    slot = slot_of(at)

    async def work(tx: AsyncManagedTransaction) -> None:
        await execute(
            tx,
            COUNT_REFUSAL,
            key=f"{slot.isoformat()}|{platform_id}|{problem}",
            slot=slot,
            platform_id=platform_id,
            problem=problem,
        )

    await graph.write(work)
