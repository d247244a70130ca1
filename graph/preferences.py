"""Preference storage and the legacy-migration records.

A person's choices and per-audience overrides live on their `(:Person)` as JSON
(`pref_choices`, `pref_overrides`, `pref_version`, `pref_updated_at`); `discoverable` is the
`Person.discoverable` property itself, the one source matching and network views read. Program
defaults live on `(:Program).pref_defaults`.

A migration run is `(:PreferenceMigration)` with one `(:PreferenceAudit)` per person changed, holding
the exact prior properties (for rollback), and one `(:LegacyPreferences)` per person keeping the
legacy record as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.errors import NotFoundError, no_such
from graph.values import Row, execute, fetch_all, fetch_one

# The Person properties a preference write touches; a rollback restores exactly these.
SNAPSHOT_PROPERTIES = (
    "discoverable",
    "pref_choices",
    "pref_overrides",
    "pref_version",
    "pref_updated_at",
)


def _decode(row: Row) -> dict[str, Any]:
    choices = json.loads(row["pref_choices"]) if row.get("pref_choices") else {}
    # Opting in is always the person's own act; a plain `false` is only a choice once they have
    # set preferences (before that it is the default their profile was created with).
    if row.get("discoverable") is True or (
        row.get("discoverable") is False and row.get("pref_updated_at")
    ):
        choices["discoverable"] = bool(row["discoverable"])
    return {
        "choices": choices,
        "overrides": json.loads(row["pref_overrides"]) if row.get("pref_overrides") else {},
        "version": row.get("pref_version") or 2,
        "updated_at": row.get("pref_updated_at"),
    }


_SNAPSHOT = (
    "p {.discoverable, .pref_choices, .pref_overrides, .pref_version, "
    "pref_updated_at: toString(p.pref_updated_at)} AS snapshot"
)


async def get_preferences(graph: Graph, person_id: str) -> dict[str, Any]:
    rows = await graph.query(
        "MATCH (p:Person {id: $id}) RETURN p.discoverable AS discoverable, p.pref_choices AS pref_choices, "
        "p.pref_overrides AS pref_overrides, p.pref_version AS pref_version, p.pref_updated_at AS pref_updated_at",
        {"id": person_id},
    )
    if not rows:
        raise NotFoundError(no_such("person", person_id))
    return _decode(rows[0])


def _encode(choices: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    rest = {key: value for key, value in choices.items() if key != "discoverable"}
    return {
        "discoverable": choices.get("discoverable"),
        "pref_choices": json.dumps(rest, sort_keys=True),
        "pref_overrides": json.dumps(overrides, sort_keys=True),
    }


async def put_preferences(
    graph: Graph, person_id: str, choices: dict[str, Any], overrides: dict[str, Any], now: datetime
) -> dict[str, Any]:
    encoded = _encode(choices, overrides)
    rows = await graph.query(
        """
        MATCH (p:Person {id: $id})
        SET p.discoverable = coalesce($discoverable, p.discoverable, false),
            p.pref_choices = $pref_choices, p.pref_overrides = $pref_overrides,
            p.pref_version = 2, p.pref_updated_at = $now, p.updated_at = $now
        RETURN p.discoverable AS discoverable, p.pref_choices AS pref_choices,
               p.pref_overrides AS pref_overrides, p.pref_version AS pref_version,
               p.pref_updated_at AS pref_updated_at
        """,
        {"id": person_id, "now": now, **encoded},
        write=True,
    )
    if not rows:
        raise NotFoundError(no_such("person", person_id))
    return _decode(rows[0])


async def program_defaults_of_person(graph: Graph, person_id: str) -> dict[str, dict[str, Any]]:
    rows = await graph.query(
        """
        MATCH (:Person {id: $id})-[:MEMBER_OF]->(:Cohort)<-[:HAS_COHORT]-(g:Program)
        WHERE g.pref_defaults IS NOT NULL
        RETURN DISTINCT g.id AS program_id, g.pref_defaults AS defaults
        """,
        {"id": person_id},
    )
    return {row["program_id"]: json.loads(row["defaults"]) for row in rows}


async def set_program_defaults(
    graph: Graph, program_id: str, defaults: dict[str, Any], now: datetime
) -> None:
    rows = await graph.query(
        "MATCH (g:Program {id: $id}) SET g.pref_defaults = $defaults, g.updated_at = $now RETURN g.id AS id",
        {"id": program_id, "defaults": json.dumps(defaults, sort_keys=True), "now": now},
        write=True,
    )
    if not rows:
        raise NotFoundError(no_such("program", program_id))


# -- legacy migration ---------------------------------------------------------------------------


async def current_choices(graph: Graph, person_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The explicit v2 choices of each existing person among `person_ids` (missing people are absent)."""
    rows = await graph.query(
        "UNWIND $ids AS id MATCH (p:Person {id: id}) "
        "RETURN p.id AS id, p.discoverable AS discoverable, p.pref_choices AS pref_choices, "
        "p.pref_updated_at AS pref_updated_at",
        {"ids": person_ids},
    )
    return {row["id"]: _decode(row)["choices"] for row in rows}


async def applied_migration_for(graph: Graph, source_sha256: str) -> Row | None:
    rows = await graph.query(
        "MATCH (m:PreferenceMigration {source_sha256: $sha}) WHERE m.rolled_back_at IS NULL "
        "RETURN m.id AS id, m.applied_at AS applied_at, m.report AS report",
        {"sha": source_sha256},
    )
    return rows[0] if rows else None


async def apply_migration(
    graph: Graph,
    *,
    migration_id: str,
    source_sha256: str,
    changes: list[dict[str, Any]],
    report: dict[str, Any],
    now: datetime,
) -> None:
    """One transaction: keep each legacy record, snapshot and set the new choices, audit each person.

    `changes` rows: person_id, after (v2 choices), legacy (the raw legacy record as JSON text).
    """
    rows = [
        {
            "person_id": change["person_id"],
            "legacy": change["legacy"],
            **_encode(change["after"], {}),
        }
        for change in changes
    ]

    await _apply(graph, migration_id, source_sha256, rows, report, now)


async def _apply(
    graph: Graph,
    migration_id: str,
    source_sha256: str,
    rows: list[dict[str, Any]],
    report: dict[str, Any],
    now: datetime,
) -> None:
    async def work(tx: AsyncManagedTransaction) -> None:
        snapshots = await fetch_all(
            tx,
            "UNWIND $ids AS id MATCH (p:Person {id: id}) SET p._lock = true REMOVE p._lock "
            "RETURN p.id AS id, " + _SNAPSHOT,
            ids=[row["person_id"] for row in rows],
        )
        before = {
            row["id"]: json.dumps(row["snapshot"], sort_keys=True, default=str) for row in snapshots
        }
        await execute(
            tx,
            "CREATE (:PreferenceMigration {id: $id, source_sha256: $sha, applied_at: $now, report: $report})",
            id=migration_id,
            sha=source_sha256,
            now=now,
            report=json.dumps(report, sort_keys=True, default=str),
        )
        await execute(
            tx,
            """
            MATCH (m:PreferenceMigration {id: $id})
            UNWIND $rows AS row
            MATCH (p:Person {id: row.person_id})
            CREATE (m)-[:CHANGED]->(:PreferenceAudit {
                migration_id: $id, person_id: p.id, at: $now, action: 'migrate', before: row.before})
            MERGE (legacy:LegacyPreferences {person_id: p.id})
              ON CREATE SET legacy.record = row.legacy, legacy.kept_at = $now, legacy.migration_id = $id
            SET p.discoverable = coalesce(row.discoverable, p.discoverable, false),
                p.pref_choices = row.pref_choices, p.pref_overrides = coalesce(p.pref_overrides, '{}'),
                p.pref_version = 2, p.pref_updated_at = $now
            """,
            id=migration_id,
            rows=[
                {**row, "before": before[row["person_id"]]}
                for row in rows
                if row["person_id"] in before
            ],
            now=now,
        )

    await graph.write(work)


@dataclass(frozen=True)
class Rollback:
    """What a rollback did: how many people it restored, or when an earlier one already had."""

    restored: int
    already_rolled_back_at: datetime | None = None


async def rollback_migration(graph: Graph, migration_id: str, now: datetime) -> Rollback:
    """Restore every person the migration changed to their exact prior properties."""

    async def work(tx: AsyncManagedTransaction) -> Rollback:
        migration = await fetch_one(
            tx,
            "MATCH (m:PreferenceMigration {id: $id}) SET m._lock = true REMOVE m._lock "
            "RETURN m.rolled_back_at AS rolled_back_at",
            id=migration_id,
        )
        if migration is None:
            raise NotFoundError(no_such("migration", migration_id))
        if migration["rolled_back_at"] is not None:
            return Rollback(restored=0, already_rolled_back_at=migration["rolled_back_at"])
        audits = await fetch_all(
            tx,
            "MATCH (:PreferenceMigration {id: $id})-[:CHANGED]->(a:PreferenceAudit) RETURN a.person_id AS person_id, a.before AS before",
            id=migration_id,
        )
        restores = []
        for audit in audits:
            snapshot = json.loads(audit["before"])
            restores.append(
                {
                    "person_id": audit["person_id"],
                    **{name: snapshot.get(name) for name in SNAPSHOT_PROPERTIES},
                }
            )
        await execute(
            tx,
            """
            UNWIND $restores AS r
            MATCH (p:Person {id: r.person_id})
            SET p.discoverable = r.discoverable, p.pref_choices = r.pref_choices,
                p.pref_overrides = r.pref_overrides, p.pref_version = r.pref_version,
                p.pref_updated_at = CASE WHEN r.pref_updated_at IS NULL THEN null ELSE datetime(r.pref_updated_at) END
            WITH p
            MATCH (m:PreferenceMigration {id: $id})
            CREATE (m)-[:CHANGED]->(:PreferenceAudit {migration_id: $id, person_id: p.id, at: $now, action: 'rollback'})
            """,
            restores=restores,
            id=migration_id,
            now=now,
        )
        await execute(
            tx,
            "MATCH (m:PreferenceMigration {id: $id}) SET m.rolled_back_at = $now",
            id=migration_id,
            now=now,
        )
        return Rollback(restored=len(restores))

    return await graph.write(work)
