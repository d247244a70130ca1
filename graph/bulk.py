"""The bulk path: many items written as `UNWIND $rows` batches, one managed transaction per batch.

Used by `rolodex seed` and meant for large imports. Every function takes a list of plain dict
rows (one per item, the property names of docs/graph-model.md plus the ids of what the item
hangs off), checks the keys against an allow-list, and loads them in batches of `batch_size`
rows. Items are MERGEd on their constrained `id` (edges without an id on their two ends), and
their properties are set only when the item is created, so loading the same rows again changes
nothing; `update=True` overwrites the listed properties of items that already exist instead.

Each batch is its own write transaction (retried by the driver on transient errors, and
idempotent, so a retry or a re-run after a crash is safe). The Cypher reads an explicit list of
properties from each row — a stray key never becomes a property — and every statement is a
constant of this module; nothing from a row is spliced into Cypher.

`DEFAULT_BATCH_SIZE` was chosen by measurement (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, LiteralString, Protocol, TypedDict, Unpack

from neo4j import AsyncManagedTransaction

from graph.db import Graph

DEFAULT_BATCH_SIZE = 1_000
Progress = Callable[[int], None]
"""Called after each committed batch with the number of rows it held."""


class Options(TypedDict, total=False):
    """The options every typed loader passes on to `load`."""

    batch_size: int
    update: bool
    progress: Progress | None


@dataclass
class BulkStats:
    """What a bulk load did, from the transactions' own counters."""

    rows: int = 0
    batches: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0

    @property
    def items_created(self) -> int:
        return self.nodes_created + self.relationships_created

    def add(self, other: BulkStats) -> BulkStats:
        self.rows += other.rows
        self.batches += other.batches
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created
        self.properties_set += other.properties_set
        return self


DATE_NAMES = frozenset({"since", "starts_on", "ends_on", "due_date"})
"""Calendar dates (`DATE`); every other temporal property ends in `_at` and is a `DATETIME`."""


@dataclass(frozen=True)
class Kind:
    """One kind of item: its row keys and the statements that merge a batch of them.

    Temporal values travel as ISO 8601 strings that the statement turns back into `DATETIME` or
    `DATE` (`datetime(row.x)`): the driver's own conversion of Python datetimes is pure Python
    and cost more than everything else on the client side (docs/performance.md). The stored
    values are the same as when the driver sends them.
    """

    name: str
    required: frozenset[str]
    optional: frozenset[str]
    create_only: LiteralString
    upsert: LiteralString
    datetimes: frozenset[str] = frozenset()
    allowed: frozenset[str] = field(init=False)
    dates: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        allowed = self.required | self.optional
        object.__setattr__(self, "allowed", allowed)
        timestamps = self.datetimes | {name for name in allowed if name.endswith("_at")}
        object.__setattr__(self, "datetimes", frozenset(timestamps))
        object.__setattr__(self, "dates", frozenset((allowed & DATE_NAMES) - timestamps))

    def check(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Refuse (ValueError) a row with missing or unknown keys or a mistyped temporal value."""
        temporal = self.datetimes | self.dates
        for position, row in enumerate(rows):
            keys = row.keys()
            if not self.required <= keys or not keys <= self.allowed:
                missing = sorted(self.required - keys)
                unknown = sorted(keys - self.allowed)
                raise ValueError(
                    f"{self.name} row {position}: missing {missing}, unknown {unknown}"
                )
            for name in temporal & keys:
                value = row[name]
                if value is None:
                    continue
                if name in self.dates:
                    good = isinstance(value, date) and not isinstance(value, datetime)
                else:
                    good = isinstance(value, datetime) and value.tzinfo is not None
                if not good:
                    expected = "a date" if name in self.dates else "a datetime with a time zone"
                    raise ValueError(f"{self.name} row {position}: {name} must be {expected}")

    def wire(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The rows as sent: temporal values as ISO 8601 strings."""
        temporal = self.datetimes | self.dates
        sent: list[dict[str, Any]] = []
        for row in rows:
            copy = dict(row)
            for name in temporal & copy.keys():
                value = copy[name]
                if value is not None:
                    copy[name] = value.isoformat()
            sent.append(copy)
        return sent


def _kind(
    name: str,
    required: set[str],
    optional: set[str],
    template: str,
    datetimes: frozenset[str] = frozenset(),
) -> Kind:
    """A kind whose statement `template` says `SET_PROPS` where the item's own properties are
    set: `SET_PROPS` (create-only) or `SET` (upsert)."""
    return Kind(
        name,
        frozenset(required),
        frozenset(optional),
        template.replace("SET_PROPS", "ON CREATE SET"),
        template.replace("SET_PROPS", "SET"),
        datetimes,
    )


def _assign(var: str, names: str) -> str:
    return ", ".join(f"{var}.{name} = {_value(name)}" for name in names.split())


def _value(name: str) -> str:
    if name.endswith("_at"):
        return f"datetime(row.{name})"
    if name in DATE_NAMES:
        return f"date(row.{name})"
    return f"row.{name}"


PERSON_PROPS = _assign(
    "p",
    "display_name headline skills interests languages timezone roles capacity discoverable email "
    "created_at updated_at",
)
PEOPLE = _kind(
    "person",
    {"id", "display_name", "roles", "created_at", "updated_at"},
    {
        "headline",
        "skills",
        "interests",
        "languages",
        "timezone",
        "capacity",
        "discoverable",
        "email",
    },
    f"""
    UNWIND $rows AS row
    MERGE (p:Person {{id: row.id}})
    SET_PROPS {PERSON_PROPS}
    """,
)

CONTACT_NAMES = "name email organisation title relation context since source created_at"
CONTACT_OPTIONAL = {"name", "email", "organisation", "title", "relation", "context", "since"}
KNOWS = _kind(
    "knows",
    {"id", "from_id", "to_id", "source", "created_at"},
    CONTACT_OPTIONAL,
    f"""
    UNWIND $rows AS row
    MATCH (a:Person {{id: row.from_id}})
    MATCH (b:Person {{id: row.to_id}})
    MERGE (a)-[k:KNOWS {{id: row.id}}]->(b)
    SET_PROPS {_assign("k", CONTACT_NAMES)}
    """,
)
CARDS = _kind(
    "contact card",
    {"id", "owner_id", "source", "created_at"},
    CONTACT_OPTIONAL,
    f"""
    UNWIND $rows AS row
    MATCH (o:Person {{id: row.owner_id}})
    MERGE (c:Contact {{id: row.id}})
    SET_PROPS {_assign("c", CONTACT_NAMES)}
    MERGE (o)-[:HAS_CONTACT]->(c)
    """,
)

PROGRAMS = _kind(
    "program",
    {"id", "name", "created_at"},
    {"description"},
    f"""
    UNWIND $rows AS row
    MERGE (g:Program {{id: row.id}})
    SET_PROPS {_assign("g", "name description created_at")}
    """,
)
COHORTS = _kind(
    "cohort",
    {"id", "program_id", "name", "created_at"},
    {"starts_on", "ends_on"},
    f"""
    UNWIND $rows AS row
    MATCH (g:Program {{id: row.program_id}})
    MERGE (c:Cohort {{id: row.id}})
    SET_PROPS {_assign("c", "name starts_on ends_on created_at")}
    MERGE (g)-[:HAS_COHORT]->(c)
    """,
)
OUTCOME_PROPS = _assign("o", "key name metric baseline target unit due_date position")
OUTCOMES = _kind(
    "outcome",
    {"id", "cohort_id", "key", "name", "position"},
    {"metric", "baseline", "target", "unit", "due_date"},
    f"""
    UNWIND $rows AS row
    MATCH (c:Cohort {{id: row.cohort_id}})
    MERGE (o:Outcome {{id: row.id}})
    SET_PROPS {OUTCOME_PROPS}
    MERGE (c)-[:HAS_OUTCOME]->(o)
    """,
)
MEMBERSHIPS = _kind(
    "membership",
    {"person_id", "cohort_id", "since"},
    set(),
    """
    UNWIND $rows AS row
    MATCH (p:Person {id: row.person_id})
    MATCH (c:Cohort {id: row.cohort_id})
    MERGE (p)-[m:MEMBER_OF]->(c)
    SET_PROPS m.since = datetime(row.since)
    """,
    frozenset({"since"}),
)

MENTORSHIP_PROPS = _assign(
    "x",
    "status goals proposed_by proposed_at started_at ended_at end_reason pause_reason updated_at",
)
MENTORSHIP_EDGES: LiteralString = """
    MERGE (mentor)-[:MENTOR_IN]->(x)
    MERGE (mentee)-[:MENTEE_IN]->(x)
    MERGE (x)-[:IN_COHORT]->(c)
    WITH row, c, [mentor, mentee] AS sides
    UNWIND sides AS side
    MERGE (side)-[m:MEMBER_OF]->(c) ON CREATE SET m.since = datetime(row.proposed_at)
"""
"""The two sides join the cohort through one MERGE clause: two clauses on MEMBER_OF made the
planner put an `Eager` (every row of the batch materialised) between them."""
MENTORSHIPS = _kind(
    "mentorship",
    {
        "id",
        "mentor_id",
        "mentee_id",
        "cohort_id",
        "status",
        "goals",
        "proposed_by",
        "proposed_at",
        "updated_at",
    },
    {"started_at", "ended_at", "end_reason", "pause_reason"},
    f"""
    UNWIND $rows AS row
    MATCH (mentor:Person {{id: row.mentor_id}})
    MATCH (mentee:Person {{id: row.mentee_id}})
    MATCH (c:Cohort {{id: row.cohort_id}})
    MERGE (x:Mentorship {{id: row.id}})
    SET_PROPS {MENTORSHIP_PROPS}
    {MENTORSHIP_EDGES}
    """,
)

SESSION_PROPS = _assign(
    "s",
    "status scheduled_at requested_at responded_at sentiment_pre sentiment_post notes created_at "
    "updated_at completed_at cancelled_at",
)
SESSIONS = _kind(
    "session",
    {"id", "mentorship_id", "status", "scheduled_at", "created_at", "updated_at"},
    {
        "requested_at",
        "responded_at",
        "sentiment_pre",
        "sentiment_post",
        "notes",
        "completed_at",
        "cancelled_at",
    },
    f"""
    UNWIND $rows AS row
    MATCH (x:Mentorship {{id: row.mentorship_id}})
    MERGE (s:Session {{id: row.id}})
    SET_PROPS {SESSION_PROPS}
    MERGE (x)-[:HAS_SESSION]->(s)
    """,
)
MEASUREMENTS = _kind(
    "measurement",
    {"id", "outcome_id", "person_id", "value", "measured_at", "recorded_at"},
    set(),
    f"""
    UNWIND $rows AS row
    MATCH (o:Outcome {{id: row.outcome_id}})
    MATCH (p:Person {{id: row.person_id}})
    MERGE (m:Measurement {{id: row.id}})
    SET_PROPS {_assign("m", "value measured_at recorded_at")}
    MERGE (o)-[:HAS_MEASUREMENT]->(m)
    MERGE (m)-[:OF_PERSON]->(p)
    """,
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        PEOPLE,
        KNOWS,
        CARDS,
        PROGRAMS,
        COHORTS,
        OUTCOMES,
        MEMBERSHIPS,
        MENTORSHIPS,
        SESSIONS,
        MEASUREMENTS,
    )
}


async def load(
    graph: Graph,
    kind: Kind,
    rows: Sequence[Mapping[str, Any]],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    update: bool = False,
    progress: Progress | None = None,
) -> BulkStats:
    """Merge `rows` of one kind, `batch_size` rows per write transaction, in order.

    Every row is checked before anything is written, so a malformed row writes nothing. Rows
    must not refer to items of the same kind later in the list (load parents first).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    kind.check(rows)
    cypher = kind.upsert if update else kind.create_only
    stats = BulkStats()
    for start in range(0, len(rows), batch_size):
        batch = kind.wire(rows[start : start + batch_size])

        async def work(tx: AsyncManagedTransaction, batch: Sequence[Any] = batch) -> BulkStats:
            result = await tx.run(cypher, {"rows": batch})
            counters = (await result.consume()).counters
            return BulkStats(
                rows=len(batch),
                batches=1,
                nodes_created=counters.nodes_created,
                relationships_created=counters.relationships_created,
                properties_set=counters.properties_set,
            )

        stats.add(await graph.write(work))
        if progress is not None:
            progress(len(batch))
    return stats


class Loader(Protocol):
    """A typed loader of one kind: `load_people(graph, rows, batch_size=…, update=…)`."""

    async def __call__(
        self, graph: Graph, rows: Sequence[Mapping[str, Any]], **options: Unpack[Options]
    ) -> BulkStats: ...


def _loader(kind: Kind, doc: str) -> Loader:
    async def load_kind(
        graph: Graph, rows: Sequence[Mapping[str, Any]], **options: Unpack[Options]
    ) -> BulkStats:
        return await load(graph, kind, rows, **options)

    load_kind.__doc__ = doc
    return load_kind


load_people = _loader(
    PEOPLE,
    "`(:Person)` profiles: `id`, `display_name`, `roles`, `created_at`, `updated_at`, and the "
    "optional profile fields of graph/people.py.",
)
load_knows = _loader(
    KNOWS,
    "Person contacts `(from)-[:KNOWS {id, …}]->(to)`: `id` (the contact id), `from_id` (the "
    "owner), `to_id`, `source`, `created_at` and the optional contact fields.",
)
load_contact_cards = _loader(
    CARDS,
    "Inline cards `(owner)-[:HAS_CONTACT]->(:Contact)`: `id`, `owner_id`, `source`, "
    "`created_at` and the optional contact fields.",
)
load_programs = _loader(PROGRAMS, "`(:Program)`: `id`, `name`, `created_at`, `description`.")
load_cohorts = _loader(
    COHORTS, "`(:Program)-[:HAS_COHORT]->(:Cohort)`: rows name their `program_id`."
)
load_outcomes = _loader(
    OUTCOMES, "`(:Cohort)-[:HAS_OUTCOME]->(:Outcome)`: rows name their `cohort_id`, `position`."
)
load_memberships = _loader(
    MEMBERSHIPS, "`(:Person)-[:MEMBER_OF {since}]->(:Cohort)`: `person_id`, `cohort_id`, `since`."
)
load_mentorships = _loader(
    MENTORSHIPS,
    "Mentorships with their edges: `MENTOR_IN`, `MENTEE_IN`, `IN_COHORT`, and `MEMBER_OF` of "
    "both sides in the cohort (since `proposed_at`, as a proposal through the API does).",
)
load_sessions = _loader(
    SESSIONS, "`(:Mentorship)-[:HAS_SESSION]->(:Session)`: rows name their `mentorship_id`."
)
load_measurements = _loader(
    MEASUREMENTS,
    "`(:Outcome)-[:HAS_MEASUREMENT]->(:Measurement)-[:OF_PERSON]->(:Person)`: rows name their "
    "`outcome_id` and `person_id`.",
)
