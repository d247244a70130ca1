"""Rolodex contacts: what a person recorded about the people they know.

Two kinds, listed together:
- another person in the graph: `(owner:Person)-[:KNOWS {id, …}]->(other:Person)`;
- an inline card for someone outside it: `(owner:Person)-[:HAS_CONTACT]->(:Contact {id, …})`.
Both carry what the owner recorded (name, email, organisation, title, relation, context, since)
plus `source` and `created_at`. A person contact never exposes the other person's own profile
fields; only its display name stands in when the owner recorded no name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.errors import ConflictError, InvalidError, NotFoundError, no_such
from graph.ids import new_id
from graph.pagination import PageRequest, RowPage, after_clause, read_page
from graph.values import Row, execute, fetch_all, fetch_map, fetch_one, lock, utc_now
from personal.vcard_import import Decision, ExistingContact, Outcome

CONTACT_FIELDS = frozenset(
    {"name", "email", "organisation", "title", "relation", "context", "since"}
)
MANUAL_SOURCE = "manual"
VCARD_SOURCE = "vcard"
TICK = timedelta(microseconds=1)
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


async def list_contacts(
    graph: Graph, owner_id: str, page: PageRequest, *, search: str | None = None
) -> RowPage:
    """The owner's contacts of both kinds, oldest first; `search` keeps those whose name,
    e-mail, organisation, title or relation contains it (case-insensitive)."""

    return await read_page(
        graph,
        f"""
        {EVERY_CONTACT}
        WITH contact
        WHERE {after_clause("contact.created_at", "contact.id")}
          AND ($search IS NULL OR any(value IN [contact.name, contact.email,
               contact.organisation, contact.title, contact.relation]
               WHERE toLower(value) CONTAINS $search))
        RETURN contact ORDER BY contact.created_at, contact.id LIMIT $fetch
        """,
        "contact",
        page,
        owner=owner_id,
        search=search.lower() if search else None,
    )


async def get_contact(graph: Graph, owner_id: str, contact_id: str) -> Row | None:
    """One of the owner's contacts, or None."""

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        return await fetch_map(
            tx,
            f"{EVERY_CONTACT} WITH contact WHERE contact.id = $id RETURN contact",
            "contact",
            owner=owner_id,
            id=contact_id,
        )

    return await graph.read(work)


async def update_contact(
    graph: Graph, owner_id: str, contact_id: str, changes: Mapping[str, Any]
) -> Row | None:
    """Change what the owner recorded about a contact (a `None` value removes the field); None
    when the owner has no contact with that id."""
    unknown = set(changes) - CONTACT_FIELDS
    if unknown:
        raise ValueError(f"not contact fields: {sorted(unknown)}")

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        row = await fetch_one(
            tx,
            """
            MATCH (o:Person {id: $owner})
            OPTIONAL MATCH (o)-[k:KNOWS {id: $id}]->(:Person)
            OPTIONAL MATCH (o)-[:HAS_CONTACT]->(c:Contact {id: $id})
            FOREACH (r IN CASE WHEN k IS NULL THEN [] ELSE [k] END | SET r += $changes)
            FOREACH (n IN CASE WHEN c IS NULL THEN [] ELSE [c] END | SET n += $changes)
            RETURN k IS NOT NULL OR c IS NOT NULL AS found
            """,
            owner=owner_id,
            id=contact_id,
            changes=dict(changes),
        )
        if not (row and row["found"]):
            return None
        return await fetch_map(
            tx,
            f"{EVERY_CONTACT} WITH contact WHERE contact.id = $id RETURN contact",
            "contact",
            owner=owner_id,
            id=contact_id,
        )

    return await graph.write(work)


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


CONTACT_SNAPSHOT = """
    MATCH (o:Person {id: $owner})
    CALL (o) {
      MATCH (o)-[k:KNOWS]->(:Person)
      RETURN k.id AS id, 'person' AS kind, k.uid AS uid, properties(k) AS fields
      UNION ALL
      MATCH (o)-[:HAS_CONTACT]->(c:Contact)
      RETURN c.id AS id, 'card' AS kind, c.uid AS uid, properties(c) AS fields
    }
    RETURN id, kind, uid, fields ORDER BY fields.created_at, id
"""
CREATE_IMPORTED_CARDS = """
    MATCH (o:Person {id: $owner})
    UNWIND $creates AS new
    CREATE (o)-[:HAS_CONTACT]->(c:Contact {id: new.id})
    SET c += new.fields, c.uid = new.uid, c.source = $source, c.created_at = new.at
"""
UPDATE_IMPORTED_CONTACTS = """
    MATCH (o:Person {id: $owner})
    UNWIND $updates AS change
    OPTIONAL MATCH (o)-[k:KNOWS {id: change.id}]->(:Person)
    OPTIONAL MATCH (o)-[:HAS_CONTACT]->(c:Contact {id: change.id})
    FOREACH (r IN CASE WHEN k IS NULL THEN [] ELSE [k] END |
      SET r += change.fields, r.uid = coalesce(r.uid, change.uid))
    FOREACH (n IN CASE WHEN c IS NULL THEN [] ELSE [c] END |
      SET n += change.fields, n.uid = coalesce(n.uid, change.uid))
"""


async def merge_cards(
    graph: Graph,
    owner_id: str,
    decide: Callable[[list[ExistingContact]], list[Decision]],
    *,
    source: str = VCARD_SOURCE,
    now: datetime | None = None,
) -> list[Decision]:
    """Merge imported address-book cards into the owner's contacts in one transaction.

    The owner is write-locked, their contacts read, `decide` (pure: `personal.vcard_import.plan`)
    says what each card does, and the creations and updates are written; all or nothing.
    """

    async def work(tx: AsyncManagedTransaction) -> list[Decision]:
        owner = await fetch_one(
            tx, f"MATCH (o:Person {{id: $owner}}) {lock('o')} RETURN o.id AS id", owner=owner_id
        )
        if owner is None:
            raise NotFoundError(no_such("person", owner_id))
        rows = await fetch_all(tx, CONTACT_SNAPSHOT, owner=owner_id)
        existing = [
            ExistingContact(
                row["id"],
                row["kind"],
                row["uid"],
                {k: v for k, v in row["fields"].items() if k in CONTACT_FIELDS},
            )
            for row in rows
        ]
        decisions = decide(existing)
        moment = now or utc_now()
        creates = [  # a microsecond apart, so they list in file order
            {"id": d.contact_id, "fields": dict(d.changes), "uid": d.uid, "at": moment + i * TICK}
            for i, d in enumerate(d for d in decisions if d.outcome is Outcome.CREATED)
        ]
        updates = [
            {"id": d.contact_id, "fields": dict(d.changes), "uid": d.uid}
            for d in decisions
            if d.contact_id is not None
            and d.outcome is not Outcome.CREATED
            and (d.changes or d.uid)
        ]
        if creates:
            await execute(
                tx,
                CREATE_IMPORTED_CARDS,
                owner=owner_id,
                creates=creates,
                source=source,
            )
        if updates:
            await execute(tx, UPDATE_IMPORTED_CONTACTS, owner=owner_id, updates=updates)
        return decisions

    return await graph.write(work)
