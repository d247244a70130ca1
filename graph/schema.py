"""Schema migrations: ordered, idempotent, recorded in the graph as `(:SchemaMigration)` nodes.

Run at start-up and by `rolodex migrate`. Each migration is a list of statements that are safe to
run again (`IF NOT EXISTS`); the record is written with MERGE only after every statement
succeeded. Append new migrations; never edit one that has shipped.

Two processes starting at once (two uvicorn workers, or a worker and `rolodex migrate`) take
turns: each first holds a write lock on the one `(:SchemaMigrationLock)` node in an open write
transaction, reads which versions are applied only then, applies the rest and commits to let the
next one in, which then finds nothing left to do (the node is deleted in the same transaction, so
it is never seen outside a run). Concurrent schema statements on an empty
database otherwise deadlock (`Neo.TransientError.Transaction.DeadlockDetected`). The lock node's
own uniqueness constraint is created first, outside the lock, and every schema statement is
retried on transient errors, so even that first step cannot fail for a race.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from neo4j import AsyncTransaction
from neo4j.exceptions import ClientError, TransientError

from graph.db import Graph

log = logging.getLogger(__name__)

LOCK_CONSTRAINT = (
    "CREATE CONSTRAINT schemamigrationlock_name_unique IF NOT EXISTS "
    "FOR (n:SchemaMigrationLock) REQUIRE n.name IS UNIQUE"
)
SCHEMA_ATTEMPTS = 8


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def _unique(label: str, prop: str = "id") -> str:
    name = f"{label.lower()}_{prop}_unique"
    return f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"


def _index(label: str, prop: str) -> str:
    name = f"{label.lower()}_{prop}_index"
    return f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"


def _composite_index(label: str, *props: str) -> str:
    name = f"{label.lower()}_{'_'.join(props)}_index"
    keys = ", ".join(f"n.{prop}" for prop in props)
    return f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON ({keys})"


def _unique_relationship(rel_type: str, prop: str = "id") -> str:
    name = f"{rel_type.lower()}_{prop}_unique"
    return (
        f"CREATE CONSTRAINT {name} IF NOT EXISTS "
        f"FOR ()-[r:{rel_type}]-() REQUIRE r.{prop} IS UNIQUE"
    )


def _relationship_index(rel_type: str, prop: str) -> str:
    name = f"{rel_type.lower()}_{prop}_index"
    return f"CREATE INDEX {name} IF NOT EXISTS FOR ()-[r:{rel_type}]-() ON (r.{prop})"


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        name="uniqueness constraints on every merged id",
        statements=(
            _unique("SchemaMigration", "version"),
            _unique("Person"),
            _unique("Contact"),
            _unique("Platform"),
            _unique("Program"),
            _unique("Cohort"),
            _unique("Outcome"),
            _unique("Measurement"),
            _unique("Mentorship"),
            _unique("Session"),
            _unique("Consent"),
            _unique("Client", "client_id"),
            _unique("ExternalIdentity", "key"),
            _unique("Export"),
            _unique("Import"),
            _unique("WebhookDelivery"),
        ),
    ),
    Migration(
        version=2,
        name="indexes for time-based metrics",
        statements=(
            _index("Person", "created_at"),
            _index("Mentorship", "status"),
            _index("Session", "scheduled_at"),
        ),
    ),
    Migration(
        version=3,
        name="relationship graph: contact ids on KNOWS, erased-person tombstones, list orders",
        statements=(
            _unique_relationship("KNOWS"),
            _unique("ErasedPerson"),
            _index("Program", "created_at"),
            _index("Cohort", "created_at"),
            _index("Mentorship", "proposed_at"),
            _index("Contact", "created_at"),
        ),
    ),
    Migration(
        version=4,
        name="metrics and matching: weekly range seeks, contact growth, discoverable mentors",
        statements=(
            _index("Mentorship", "started_at"),
            _index("Mentorship", "ended_at"),
            _index("Session", "requested_at"),
            _index("Export", "at"),
            _index("Import", "at"),
            _relationship_index("KNOWS", "created_at"),
            _index("Person", "discoverable"),
        ),
    ),
    Migration(
        version=10,
        name="consent, export and import: replay keys, external records, staging, lookups",
        statements=(
            _unique("Import", "replay_key"),
            _unique("ExternalRecord"),
            _index("Platform", "issuer"),
            _index("Consent", "audience"),
            _index("WebhookDelivery", "status"),
            _index("StagedContact", "staging_id"),
            _index("StagedRecord", "staging_id"),
            _index("StagedContact", "id"),
            _index("StagedRecord", "id"),
        ),
    ),
    Migration(
        version=15,
        name="portability: pairwise pseudonymous ids and the secret they derive from",
        statements=(
            _unique("Pseudonym"),
            _unique("InstanceSecret", "name"),
        ),
    ),
    Migration(
        version=18,
        name="calendar feeds: looked up by the hash of their token",
        statements=(_unique("CalendarFeed", "token_hash"),),
    ),
    Migration(
        version=20,
        name="audit log of consent, export and import events",
        statements=(
            _unique("AuditEvent"),
            _index("AuditEvent", "at"),
            _index("AuditEvent", "person_id"),
        ),
    ),
    Migration(
        version=21,
        name="refused-import counters: one per quarter hour, platform and problem type",
        statements=(
            _unique("ImportRefusals", "key"),
            _index("ImportRefusals", "slot"),
        ),
    ),
    Migration(
        version=28,
        name="import staging: staged items looked up by staging id and item id together",
        statements=(
            _composite_index("StagedContact", "staging_id", "id"),
            _composite_index("StagedRecord", "staging_id", "id"),
        ),
    ),
    Migration(
        version=70,
        name="shared rate-limit counters (one per key, swept by expiry)",
        statements=(
            _unique("RateCounter", "key"),
            _index("RateCounter", "expires_at"),
        ),
    ),
    Migration(
        version=71,
        name="credentials, status lists and presentation nonces",
        statements=(
            _unique("Credential"),
            _unique("Credential", "entry"),
            _index("Credential", "list_id"),
            _unique("StatusList"),
            _unique("PresentationNonce", "value"),
        ),
    ),
    Migration(
        version=75,
        name="matching: mentors found by their skills through a full-text index",
        statements=(
            "CREATE FULLTEXT INDEX person_skills_roles_fulltext IF NOT EXISTS "
            "FOR (n:Person) ON EACH [n.skills, n.roles]",
            "CALL db.awaitIndex('person_skills_roles_fulltext', 600)",
        ),
    ),
)


async def applied_versions(graph: Graph) -> set[int]:
    rows = await graph.query("MATCH (m:SchemaMigration) RETURN m.version AS version")
    return {int(row["version"]) for row in rows}


async def _run_schema(graph: Graph, statement: str) -> None:
    """Run one idempotent schema statement, again after a transient error or a lost race.

    A concurrent creator of the same rule can make an `IF NOT EXISTS` statement fail with an
    "equivalent rule already exists" error; running it again then finds the rule and does nothing.
    """
    for attempt in range(1, SCHEMA_ATTEMPTS + 1):
        try:
            await graph.run_schema(statement)
            return
        except (TransientError, ClientError) as error:
            retriable = isinstance(error, TransientError) or "AlreadyExists" in (error.code or "")
            if not retriable or attempt == SCHEMA_ATTEMPTS:
                raise
            log.info("schema statement retried", extra={"code": error.code, "attempt": attempt})
            await asyncio.sleep(0.05 * 2**attempt)


async def _hold_lock(tx: AsyncTransaction) -> None:
    """Write-lock the one lock node in `tx` (waiting while another migrator holds it)."""
    result = await tx.run(
        "MERGE (l:SchemaMigrationLock {name: 'schema'}) SET l.taken_at = datetime()"
    )
    await result.consume()


async def _release_lock(tx: AsyncTransaction) -> None:
    """Delete the lock node in the holding transaction: nothing of it outlives the run."""
    result = await tx.run("MATCH (l:SchemaMigrationLock {name: 'schema'}) DELETE l")
    await result.consume()


async def migrate(graph: Graph) -> list[Migration]:
    """Apply every migration not yet recorded, in order; return those applied by this call.

    Holds the migration lock for the whole run, so a second caller waits and then applies nothing.
    """
    await _run_schema(graph, LOCK_CONSTRAINT)
    async with graph.transaction() as lock:
        await _hold_lock(lock)
        done = await applied_versions(graph)
        applied: list[Migration] = []
        for migration in sorted(MIGRATIONS, key=lambda m: m.version):
            if migration.version in done:
                continue
            for statement in migration.statements:
                await _run_schema(graph, statement)
            await graph.query(
                "MERGE (m:SchemaMigration {version: $version}) "
                "ON CREATE SET m.name = $name, m.applied_at = datetime()",
                {"version": migration.version, "name": migration.name},
                write=True,
            )
            applied.append(migration)
        await _release_lock(lock)
    return applied
