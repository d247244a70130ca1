"""Rolodex contacts: what a person recorded about the people they know.

Two kinds, listed together:
- another person in the graph: `(owner:Person)-[:KNOWS {id, …}]->(other:Person)`;
- an inline card for someone outside it: `(owner:Person)-[:HAS_CONTACT]->(:Contact {id, …})`.
Both carry what the owner recorded (name, email, organisation, title, relation, context, since)
plus `source` and `created_at`. A person contact never exposes the other person's own profile
fields; only its display name stands in when the owner recorded no name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.errors import ConflictError, InvalidError, NotFoundError, no_such
from graph.ids import new_id
from graph.pagination import PageRequest, RowPage, after_clause, read_page
from graph.values import Row, fetch_all, fetch_map, fetch_one, lock, utc_now

CONTACT_FIELDS = frozenset(
    {"name", "email", "organisation", "title", "relation", "context", "since"}
)
MANUAL_SOURCE = "manual"
KNOWN_PERSON = (
    "{id: k.id, kind: 'person', person_id: x.id, name: coalesce(k.name, x.display_name), "
    "email: k.email, organisation: k.organisation, title: k.title, relation: k.relation, "
    "context: k.context, since: k.since, source: k.source, created_at: k.created_at}"
)
CARD = (
    "{id: c.id, kind: 'card', person_id: null, name: c.name, email: c.email, "
    "organisation: c.organisation, title: c.title, relation: c.relation, context: c.context, "
    "since: c.since, source: c.source, created_at: c.created_at}"
)
EVERY_CONTACT = f"""
    MATCH (o:Person {{id: $owner}})
    CALL (o) {{
      MATCH (o)-[k:KNOWS]->(x:Person) RETURN {KNOWN_PERSON} AS contact
      UNION ALL
      MATCH (o)-[:HAS_CONTACT]->(c:Contact) RETURN {CARD} AS contact
    }}
"""


async def add_contact(
    graph: Graph,
    owner_id: str,
    fields: Mapping[str, Any],
    *,
    person_id: str | None = None,
    source: str = MANUAL_SOURCE,
    now: datetime | None = None,
) -> Row:
    """Record a contact of `owner_id`: a `KNOWS` to `person_id`, or else an inline card.

    The owner is write-locked first, so two requests cannot both add the same person.
    """
    unknown = set(fields) - CONTACT_FIELDS
    if unknown:
        raise ValueError(f"not contact fields: {sorted(unknown)}")
    record = {
        "owner": owner_id,
        "id": new_id("ctc"),
        "fields": dict(fields),
        "source": source,
        "now": now or utc_now(),
    }

    async def work(tx: AsyncManagedTransaction) -> Row:
        owner = await fetch_one(
            tx, f"MATCH (o:Person {{id: $owner}}) {lock('o')} RETURN o.id AS id", owner=owner_id
        )
        if owner is None:
            raise NotFoundError(no_such("person", owner_id))
        if person_id is None:
            return await _create(tx, CREATE_CARD, record)
        await _check_new_known_person(tx, owner_id, person_id)
        return await _create(tx, CREATE_KNOWS, {**record, "person": person_id})

    return await graph.write(work)


CREATE_CARD = f"""
    MATCH (o:Person {{id: $owner}})
    CREATE (o)-[:HAS_CONTACT]->(c:Contact {{id: $id}})
    SET c += $fields, c.source = $source, c.created_at = $now
    RETURN {CARD} AS contact
"""
CREATE_KNOWS = f"""
    MATCH (o:Person {{id: $owner}}), (x:Person {{id: $person}})
    CREATE (o)-[k:KNOWS {{id: $id}}]->(x)
    SET k += $fields, k.source = $source, k.created_at = $now
    RETURN {KNOWN_PERSON} AS contact
"""


async def _create(tx: AsyncManagedTransaction, cypher: str, params: dict[str, Any]) -> Row:
    contact = await fetch_map(tx, cypher, "contact", **params)
    assert contact is not None
    return contact


async def _check_new_known_person(
    tx: AsyncManagedTransaction, owner_id: str, person_id: str
) -> None:
    if person_id == owner_id:
        raise InvalidError("A person cannot be their own contact.")
    other = await fetch_one(
        tx,
        """
        MATCH (x:Person {id: $person})
        OPTIONAL MATCH (:Person {id: $owner})-[k:KNOWS]->(x)
        RETURN k.id AS existing
        """,
        owner=owner_id,
        person=person_id,
    )
    if other is None:
        raise NotFoundError(no_such("person", person_id))
    if other["existing"] is not None:
        raise ConflictError(
            f"{person_id!r} is already a contact (contact id {other['existing']!r}); "
            "delete it first to record it again."
        )


async def list_contacts(graph: Graph, owner_id: str, page: PageRequest) -> RowPage:
    """The owner's contacts of both kinds, oldest first."""

    return await read_page(
        graph,
        f"""
        {EVERY_CONTACT}
        WITH contact
        WHERE {after_clause("contact.created_at", "contact.id")}
        RETURN contact ORDER BY contact.created_at, contact.id LIMIT $fetch
        """,
        "contact",
        page,
        owner=owner_id,
    )


async def all_contacts(graph: Graph, owner_id: str) -> list[Row]:
    """Every contact of the owner, oldest first (for exports)."""

    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        rows = await fetch_all(
            tx,
            f"{EVERY_CONTACT} RETURN contact ORDER BY contact.created_at, contact.id",
            owner=owner_id,
        )
        return [row["contact"] for row in rows]

    return await graph.read(work)


async def delete_contact(graph: Graph, owner_id: str, contact_id: str) -> bool:
    """Delete one of the owner's contacts; False when the owner has no contact with that id."""

    async def work(tx: AsyncManagedTransaction) -> bool:
        row = await fetch_one(
            tx,
            """
            MATCH (o:Person {id: $owner})
            OPTIONAL MATCH (o)-[k:KNOWS {id: $id}]->(:Person)
            OPTIONAL MATCH (o)-[:HAS_CONTACT]->(c:Contact {id: $id})
            WITH k, c, (k IS NOT NULL OR c IS NOT NULL) AS found
            DELETE k
            DETACH DELETE c
            RETURN found
            """,
            owner=owner_id,
            id=contact_id,
        )
        return bool(row and row["found"])

    return await graph.write(work)
