"""People: `(:Person)` profiles, the admin listing, reach facts for authorization, and erasure.

Erasure replaces the person by an anonymous `(:ErasedPerson)` tombstone (new random id, no personal
property) so that mentorship, session and cohort counts survive while nothing points back to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from graph import credentials
from graph.calendar_feeds import delete_feeds_of
from graph.consents import revoke_all_for_erasure
from graph.db import Graph
from graph.errors import ConflictError, NotFoundError, no_such
from graph.ids import new_id
from graph.imports import erase_imported
from graph.pagination import PageRequest, RowPage, after_clause, read_page
from graph.values import Row, execute, fetch_map, fetch_one, lock, read_map, utc_now


class PersonRole(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


PERSON_FIELDS = frozenset(
    {
        "display_name",
        "headline",
        "skills",
        "interests",
        "languages",
        "timezone",
        "roles",
        "capacity",
        "discoverable",
        "email",
    }
)
PERSON = (
    "p {.id, .display_name, .headline, .skills, .interests, .languages, .timezone, .roles, "
    ".capacity, .discoverable, .email, .created_at, .updated_at}"
)
ERASED_END_REASON = "participant-erased"


@dataclass(frozen=True)
class PersonFacts:
    """What authorization needs to know about a person, relative to an optional viewer."""

    discoverable: bool
    programs: frozenset[str]
    connected: bool


def _checked(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise ValueError(f"not person fields: {sorted(unknown)}")
    return dict(fields)


async def create_person(
    graph: Graph,
    person_id: str,
    fields: Mapping[str, Any],
    *,
    cohort_id: str | None = None,
    now: datetime | None = None,
) -> Row:
    """Create a person; with `cohort_id`, enrol them in that cohort (`MEMBER_OF`)."""
    values, moment = _checked(fields), now or utc_now()

    async def work(tx: AsyncManagedTransaction) -> Row:
        if cohort_id is not None:
            cohort = await fetch_one(
                tx, "MATCH (c:Cohort {id: $id}) RETURN c.id AS id", id=cohort_id
            )
            if cohort is None:
                raise NotFoundError(no_such("cohort", cohort_id))
        person = await fetch_map(
            tx,
            f"""
            CREATE (p:Person {{id: $id}})
            SET p += $fields, p.created_at = $now, p.updated_at = $now
            RETURN {PERSON} AS person
            """,
            "person",
            id=person_id,
            fields=values,
            now=moment,
        )
        if cohort_id is not None:
            await execute(
                tx,
                """
                MATCH (p:Person {id: $id}), (c:Cohort {id: $cohort_id})
                MERGE (p)-[m:MEMBER_OF]->(c) ON CREATE SET m.since = $now
                """,
                id=person_id,
                cohort_id=cohort_id,
                now=moment,
            )
        assert person is not None
        return person

    try:
        return await graph.write(work)
    except ConstraintError as error:
        raise ConflictError(f"A person with id {person_id!r} already exists.") from error


async def get_person(graph: Graph, person_id: str) -> Row | None:
    return await read_map(
        graph, f"MATCH (p:Person {{id: $id}}) RETURN {PERSON} AS person", "person", id=person_id
    )


async def update_person(
    graph: Graph, person_id: str, changes: Mapping[str, Any], *, now: datetime | None = None
) -> Row:
    """Apply `changes` (a `null` value removes the property); raise `NotFoundError` if absent."""
    values, moment = _checked(changes), now or utc_now()

    async def work(tx: AsyncManagedTransaction) -> Row:
        person = await fetch_map(
            tx,
            f"""
            MATCH (p:Person {{id: $id}})
            SET p += $changes, p.updated_at = $now
            RETURN {PERSON} AS person
            """,
            "person",
            id=person_id,
            changes=values,
            now=moment,
        )
        if person is None:
            raise NotFoundError(no_such("person", person_id))
        return person

    return await graph.write(work)


async def person_facts(
    graph: Graph, person_id: str, *, viewer_id: str | None = None
) -> PersonFacts | None:
    """Discoverability, program memberships, and whether `viewer_id` is directly connected
    (a `KNOWS` either way, or a mentorship together); None when the person does not exist."""

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        return await fetch_one(
            tx,
            """
            MATCH (p:Person {id: $id})
            RETURN coalesce(p.discoverable, false) AS discoverable,
                   COLLECT { MATCH (p)-[:MEMBER_OF]->(:Cohort)<-[:HAS_COHORT]-(g:Program)
                             RETURN DISTINCT g.id } AS programs,
                   $viewer IS NOT NULL AND (
                     EXISTS { (p)-[:KNOWS]-(:Person {id: $viewer}) } OR
                     EXISTS { (p)-[:MENTOR_IN|MENTEE_IN]->(:Mentorship)
                              <-[:MENTOR_IN|MENTEE_IN]-(:Person {id: $viewer}) }
                   ) AS connected
            """,
            id=person_id,
            viewer=viewer_id,
        )

    row = await graph.read(work)
    if row is None:
        return None
    return PersonFacts(
        discoverable=bool(row["discoverable"]),
        programs=frozenset(row["programs"]),
        connected=bool(row["connected"]),
    )


async def list_people(
    graph: Graph,
    page: PageRequest,
    *,
    skill: str | None = None,
    role: PersonRole | None = None,
    program_id: str | None = None,
    name: str | None = None,
    within_programs: frozenset[str] | None = None,
) -> RowPage:
    """People oldest first, filtered by skill (case-insensitive), role, program membership and a
    part of the display name (case-insensitive); `within_programs` (None = no limit) keeps only
    members of those programs' cohorts."""

    return await read_page(
        graph,
        f"""
        MATCH (p:Person)
        WHERE ($skill IS NULL OR any(s IN p.skills WHERE toLower(s) = toLower($skill)))
          AND ($role IS NULL OR $role IN p.roles)
          AND ($name IS NULL OR toLower(p.display_name) CONTAINS toLower($name))
          AND ($program IS NULL OR EXISTS {{
                (p)-[:MEMBER_OF]->(:Cohort)<-[:HAS_COHORT]-(:Program {{id: $program}}) }})
          AND ($scope IS NULL OR EXISTS {{
                (p)-[:MEMBER_OF]->(:Cohort)<-[:HAS_COHORT]-(g:Program) WHERE g.id IN $scope }})
          AND {after_clause("p.created_at", "p.id")}
        RETURN {PERSON} AS person
        ORDER BY p.created_at, p.id
        LIMIT $fetch
        """,
        "person",
        page,
        skill=skill,
        role=role.value if role else None,
        program=program_id,
        name=name,
        scope=sorted(within_programs) if within_programs is not None else None,
    )


async def erase_person(graph: Graph, person_id: str, *, now: datetime | None = None) -> bool:
    """Erase a person; return False when there was nobody to erase.

    In one transaction: their credentials are revoked (status-list bit set, graph/credentials.py);
    their imported records, identity links and pseudonyms go and import
    reports stop naming them (graph/imports.py `erase_imported`); their rolodex cards and every `KNOWS` and `EXCLUDES` (matching
    exclusions) to or from them are deleted; free
    text about them (mentorship goals and reasons, session notes) is removed from their
    mentorships; live mentorships end (`proposed` → `declined`, `active|paused` → `abandoned`,
    end reason `participant-erased`); the node loses every personal property and its `Person`
    label, becoming `(:ErasedPerson {id: gone_…, roles, created_at, erased_at})`, still linked to
    its mentorships, cohorts and measurements so counts stay right.
    """
    moment = now or utc_now()

    async def work(tx: AsyncManagedTransaction) -> bool:
        found = await fetch_one(
            tx, f"MATCH (p:Person {{id: $id}}) {lock('p')} RETURN p.id AS id", id=person_id
        )
        if found is None:
            return False
        await revoke_all_for_erasure(tx, person_id, moment)
        await credentials.revoke_all_for_erasure(tx, person_id, moment)
        await delete_feeds_of(tx, person_id)
        await erase_imported(tx, person_id)
        await execute(
            tx,
            "MATCH (:Person {id: $id})-[:HAS_CONTACT]->(c:Contact) DETACH DELETE c",
            id=person_id,
        )
        await execute(tx, "MATCH (:Person {id: $id})-[k:KNOWS|EXCLUDES]-() DELETE k", id=person_id)
        await execute(
            tx,
            """
            MATCH (:Person {id: $id})-[:MENTOR_IN|MENTEE_IN]->(m:Mentorship)
            SET m.goals = []
            REMOVE m.end_reason, m.pause_reason
            WITH m
            OPTIONAL MATCH (m)-[:HAS_SESSION]->(s:Session)
            REMOVE s.notes
            WITH DISTINCT m
            WHERE m.status IN ['proposed', 'active', 'paused']
            SET m.status = CASE m.status WHEN 'proposed' THEN 'declined' ELSE 'abandoned' END,
                m.ended_at = $now, m.updated_at = $now, m.end_reason = $reason
            """,
            id=person_id,
            now=moment,
            reason=ERASED_END_REASON,
        )
        await execute(
            tx,
            """
            MATCH (p:Person {id: $id})
            SET p = {id: $tombstone, roles: coalesce(p.roles, []), created_at: p.created_at,
                     erased_at: $now}
            REMOVE p:Person
            SET p:ErasedPerson
            """,
            id=person_id,
            tombstone=new_id("gone"),
            now=moment,
        )
        return True

    return await graph.write(work)
