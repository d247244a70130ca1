"""Calendar feeds: a person's private subscription to their sessions as iCalendar.

`(:Person)-[:HAS_CALENDAR_FEED]->(:CalendarFeed {token_hash, created_at})`: at most one per
person. Only the SHA-256 of the feed token is stored (the token itself is shown once, when it is
made); rotating replaces the node, revoking deletes it, erasing the person deletes it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.errors import NotFoundError, no_such
from graph.values import Row, execute, fetch_all, fetch_one, lock, utc_now

FEED_PAST = timedelta(days=365)
"""How far back the feed reaches; upcoming sessions are all included."""
FEED_MAX_SESSIONS = 1000


@dataclass(frozen=True)
class FeedSession:
    id: str
    mentorship_id: str
    status: str
    scheduled_at: datetime
    updated_at: datetime
    role: str
    """The person's side in the mentorship: `mentor` or `mentee`."""
    other_name: str | None
    goals: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    person_id: str
    display_name: str
    sessions: tuple[FeedSession, ...]


async def replace_feed(
    graph: Graph, person_id: str, token_hash: str, *, now: datetime | None = None
) -> datetime:
    """Make (or rotate to) a feed whose token hashes to `token_hash`; the old token stops."""
    moment = now or utc_now()

    async def work(tx: AsyncManagedTransaction) -> datetime:
        found = await fetch_one(
            tx, f"MATCH (p:Person {{id: $id}}) {lock('p')} RETURN p.id AS id", id=person_id
        )
        if found is None:
            raise NotFoundError(no_such("person", person_id))
        await execute(
            tx,
            """
            MATCH (p:Person {id: $id})
            OPTIONAL MATCH (p)-[:HAS_CALENDAR_FEED]->(old:CalendarFeed)
            DETACH DELETE old
            WITH DISTINCT p
            CREATE (p)-[:HAS_CALENDAR_FEED]->(:CalendarFeed {token_hash: $hash, created_at: $now})
            """,
            id=person_id,
            hash=token_hash,
            now=moment,
        )
        return moment

    return await graph.write(work)


async def feed_created_at(graph: Graph, person_id: str) -> datetime | None:
    """When the person's current feed token was made, or None without one."""
    rows = await graph.query(
        "MATCH (:Person {id: $id})-[:HAS_CALENDAR_FEED]->(f:CalendarFeed) "
        "RETURN f.created_at AS created_at",
        {"id": person_id},
    )
    return rows[0]["created_at"] if rows else None


async def delete_feed(graph: Graph, person_id: str) -> bool:
    """Revoke the person's feed; False when they had none."""

    async def work(tx: AsyncManagedTransaction) -> bool:
        row = await fetch_one(
            tx,
            """
            MATCH (:Person {id: $id})-[:HAS_CALENDAR_FEED]->(f:CalendarFeed)
            DETACH DELETE f
            RETURN count(*) AS deleted
            """,
            id=person_id,
        )
        return bool(row and row["deleted"])

    return await graph.write(work)


async def delete_feeds_of(tx: AsyncManagedTransaction, person_id: str) -> None:
    """Inside erasure: the person's feed goes with them."""
    await execute(
        tx,
        "MATCH (:Person {id: $id})-[:HAS_CALENDAR_FEED]->(f:CalendarFeed) DETACH DELETE f",
        id=person_id,
    )


async def feed_for_token(
    graph: Graph, token_hash: str, *, now: datetime | None = None
) -> Feed | None:
    """The sessions of the person whose feed token hashes to `token_hash` (None: no such feed):
    every upcoming one and those of the last year, in time order."""
    since = (now or utc_now()) - FEED_PAST

    async def work(tx: AsyncManagedTransaction) -> Feed | None:
        owner = await fetch_one(
            tx,
            """
            MATCH (p:Person)-[:HAS_CALENDAR_FEED]->(:CalendarFeed {token_hash: $hash})
            RETURN p.id AS id, p.display_name AS display_name
            """,
            hash=token_hash,
        )
        if owner is None:
            return None
        rows: list[Row] = await fetch_all(
            tx,
            """
            MATCH (p:Person {id: $id})-[side:MENTOR_IN|MENTEE_IN]->(m:Mentorship)
                  -[:HAS_SESSION]->(s:Session)
            WHERE s.scheduled_at >= $since
            OPTIONAL MATCH (other)-[:MENTOR_IN|MENTEE_IN]->(m) WHERE other <> p
            RETURN s.id AS id, m.id AS mentorship_id, s.status AS status,
                   s.scheduled_at AS scheduled_at, s.updated_at AS updated_at,
                   CASE type(side) WHEN 'MENTOR_IN' THEN 'mentor' ELSE 'mentee' END AS role,
                   other.display_name AS other_name, coalesce(m.goals, []) AS goals
            ORDER BY s.scheduled_at, s.id
            LIMIT $limit
            """,
            id=owner["id"],
            since=since,
            limit=FEED_MAX_SESSIONS,
        )
        sessions = tuple(FeedSession(**{**row, "goals": tuple(row["goals"])}) for row in rows)
        return Feed(owner["id"], owner["display_name"] or owner["id"], sessions)

    return await graph.read(work)
