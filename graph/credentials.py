"""Issued credentials, their status-list entries, and presentation nonces.

`(:Person)-[:HOLDS_CREDENTIAL]->(:Credential {id, list_id, idx, status, …})`: a credential's
entry `idx` in `(:StatusList {id, size})` is drawn at random among the free entries of the
current list, so an index says nothing about who holds it or when it was issued; a list is
closed when half full. `status` is the entry's value in the published list: 0 valid, 1 invalid
(revoked by the holder, or the holder was erased — the credential node then loses its link and
its person id but keeps its entry, so the bit stays set).

`(:PresentationNonce {value, person_id, aud, expires_at, used_at})`: a nonce handed to a person
importing a presentation; used at most once.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from graph.db import Graph
from graph.errors import NotFoundError, no_such
from graph.ids import new_id
from graph.pagination import PageRequest, RowPage, after_clause, read_page
from graph.values import Row, execute, fetch_all, fetch_one

ALLOCATION_ATTEMPTS = 8


class _NoFreeEntryError(Exception):
    """None of the random candidates was free (or another issuer took it meanwhile)."""


CANDIDATES = 16

CREDENTIAL_MAP = """c {.id, .vct, .list_id, .idx, .sections, .issued_at, .expires_at, .revoked_at,
    status: CASE c.status WHEN 1 THEN 'revoked' ELSE 'valid' END}"""


async def _open_list(tx: AsyncManagedTransaction, size: int, now: datetime) -> Row:
    found = await fetch_one(
        tx,
        """
        MATCH (l:StatusList) WHERE l.closed_at IS NULL AND l.size = $size
        RETURN l.id AS id, l.size AS size,
               COUNT { MATCH (c:Credential {list_id: l.id}) } AS used
        ORDER BY l.created_at DESC LIMIT 1
        """,
        size=size,
    )
    if found is not None and found["used"] * 2 < found["size"]:
        return found
    if found is not None:
        await execute(
            tx, "MATCH (l:StatusList {id: $id}) SET l.closed_at = $now", id=found["id"], now=now
        )
    list_id = new_id("stl")
    await execute(
        tx,
        "CREATE (:StatusList {id: $id, size: $size, created_at: $now})",
        id=list_id,
        size=size,
        now=now,
    )
    return {"id": list_id, "size": size, "used": 0}


async def issue(
    graph: Graph,
    *,
    person_id: str,
    vct: str,
    sections: list[str],
    issued_at: datetime,
    expires_at: datetime,
    list_size: int,
) -> Row:
    """Record a new credential and allocate its status entry; return id, list_id and idx."""

    async def work(tx: AsyncManagedTransaction) -> Row:
        person = await fetch_one(tx, "MATCH (p:Person {id: $id}) RETURN p.id AS id", id=person_id)
        if person is None:
            raise NotFoundError(no_such("person", person_id))
        status_list = await _open_list(tx, list_size, issued_at)
        candidates = sorted({secrets.randbelow(status_list["size"]) for _ in range(CANDIDATES)})
        taken = await fetch_all(
            tx,
            "MATCH (c:Credential {list_id: $list}) WHERE c.idx IN $candidates RETURN c.idx AS idx",
            list=status_list["id"],
            candidates=candidates,
        )
        free = [idx for idx in candidates if idx not in {row["idx"] for row in taken}]
        if not free:
            raise _NoFreeEntryError()
        row: Row = {
            "id": new_id("crd"),
            "list_id": status_list["id"],
            "idx": secrets.choice(free),
        }
        await execute(
            tx,
            """
            MATCH (p:Person {id: $person})
            CREATE (p)-[:HOLDS_CREDENTIAL]->(:Credential {
                id: $id, person_id: $person, vct: $vct, sections: $sections, list_id: $list_id,
                idx: $idx, entry: $list_id + '#' + toString($idx), status: 0,
                issued_at: $issued_at, expires_at: $expires_at})
            """,
            person=person_id,
            vct=vct,
            sections=sections,
            issued_at=issued_at,
            expires_at=expires_at,
            **row,
        )
        return row

    for attempt in range(ALLOCATION_ATTEMPTS):
        try:
            return await graph.write(work)
        except (ConstraintError, _NoFreeEntryError):
            if attempt == ALLOCATION_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def list_for_person(graph: Graph, person_id: str, page: PageRequest) -> RowPage:
    return await read_page(
        graph,
        f"""
        MATCH (:Person {{id: $person}})-[:HOLDS_CREDENTIAL]->(c:Credential)
        WHERE {after_clause("c.issued_at", "c.id")}
        RETURN {CREDENTIAL_MAP} AS credential ORDER BY c.issued_at, c.id LIMIT $fetch
        """,
        "credential",
        page,
        order_key="issued_at",
        person=person_id,
    )


async def revoke(graph: Graph, person_id: str, credential_id: str, now: datetime) -> Row | None:
    """Set the credential's status bit (idempotent); None when the person holds no such one."""

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        return await fetch_one(
            tx,
            f"""
            MATCH (:Person {{id: $person}})-[:HOLDS_CREDENTIAL]->(c:Credential {{id: $id}})
            SET c.status = 1, c.revoked_at = coalesce(c.revoked_at, $now)
            RETURN {CREDENTIAL_MAP} AS credential
            """,
            person=person_id,
            id=credential_id,
            now=now,
        )

    row = await graph.write(work)
    return None if row is None else dict(row["credential"])


async def revoke_all_for_erasure(
    tx: AsyncManagedTransaction, person_id: str, now: datetime
) -> None:
    """Inside the erasure transaction: every credential of the person becomes invalid and
    forgets whose it was (its status entry stays, with its bit set); their nonces go."""
    await execute(
        tx,
        """
        MATCH (:Person {id: $person})-[h:HOLDS_CREDENTIAL]->(c:Credential)
        SET c.status = 1, c.revoked_at = coalesce(c.revoked_at, $now), c.revoked_by = 'erasure'
        REMOVE c.person_id, c.sections
        DELETE h
        """,
        person=person_id,
        now=now,
    )
    await execute(tx, "MATCH (n:PresentationNonce {person_id: $person}) DELETE n", person=person_id)


async def status_list(graph: Graph, list_id: str) -> Row | None:
    """The list's size and the indexes whose status is 1; None for an unknown list."""
    rows = await graph.query(
        """
        MATCH (l:StatusList {id: $id})
        RETURN l.size AS size,
               COLLECT { MATCH (c:Credential {list_id: l.id}) WHERE c.status = 1 RETURN c.idx } AS invalid
        """,
        {"id": list_id},
    )
    return rows[0] if rows else None


async def create_nonce(
    graph: Graph, *, person_id: str, aud: str, issued_at: datetime, expires_at: datetime
) -> str:
    value = secrets.token_urlsafe(24)
    await graph.query(
        "CREATE (:PresentationNonce {value: $value, person_id: $person, aud: $aud, "
        "issued_at: $issued_at, expires_at: $expires_at})",
        {
            "value": value,
            "person": person_id,
            "aud": aud,
            "issued_at": issued_at,
            "expires_at": expires_at,
        },
        write=True,
    )
    return value


async def find_nonce(graph: Graph, value: str) -> Row | None:
    rows = await graph.query(
        "MATCH (n:PresentationNonce {value: $value}) RETURN n.person_id AS person_id, "
        "n.aud AS aud, n.expires_at AS expires_at, n.used_at AS used_at",
        {"value": value},
    )
    return rows[0] if rows else None


async def consume_nonce(graph: Graph, value: str, person_id: str, now: datetime) -> bool:
    """Mark the nonce used; False when it was used meanwhile, expired, or is someone else's."""

    async def work(tx: AsyncManagedTransaction) -> bool:
        row = await fetch_one(
            tx,
            """
            MATCH (n:PresentationNonce {value: $value, person_id: $person})
            WHERE n.used_at IS NULL AND n.expires_at > $now
            SET n.used_at = $now
            RETURN n.value AS value
            """,
            value=value,
            person=person_id,
            now=now,
        )
        return row is not None

    return await graph.write(work)


async def sweep_nonces(graph: Graph, before: datetime) -> None:
    """Forget nonces that expired before `before` (used or not)."""
    await graph.query(
        "MATCH (n:PresentationNonce) WHERE n.expires_at < $before DELETE n",
        {"before": before},
        write=True,
    )
