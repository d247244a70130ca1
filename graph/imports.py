"""Merging a verified bundle into the graph: idempotent by item id, with provenance — or nothing.

Every imported node records where it came from (`source_issuer`, `source_bundle`, `imported_at`,
and `origin_iss`/`origin_id` of the item). The same person arriving twice from one platform is one
person: `(:Person)-[:KNOWN_AS]->(:ExternalIdentity {key: "<issuer>|<their id>"})`. Local edits
are never overwritten: an imported contact whose fields no longer match what was imported
(`import_hash`) is kept as it is, and reported as a conflict when the bundle changes it. A
re-import compares content hashes: an item its source has not changed since it was imported is
`unchanged` (one id and one boolean read back, nothing written).

A bundle with up to `single_tx_items` new items (every re-import, however large) is planned and
merged in one transaction. One with more has them first written as
`(:StagedContact)`/`(:StagedRecord)` nodes — invisible to every query of the service — in
batches, then planned again and made visible in one final transaction, so a crash never leaves
half a bundle visible. A dry run plans in a read transaction and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Final, LiteralString

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from graph import audit
from graph.audit import AuditActor
from graph.db import Graph
from graph.errors import ConflictError, NotFoundError
from graph.pagination import PageRequest, RowPage, after_clause, read_page
from graph.values import Row, execute, fetch_all, fetch_one

PROFILE_FIELDS = ("display_name", "headline", "skills", "interests", "languages", "timezone")
STAGE_BATCH = 2_000


# The final transaction makes staged items visible (or creates them when nothing was staged): one
# seek per row on the (staging_id, id) index. By `staging_id` alone every staged row matches, so
# a plan that seeks by it and filters by `id` compares every row with every other.
UNSTAGE_CONTACTS: Final = """
        MATCH (p:Person {id: $person})
        UNWIND $rows AS row
        OPTIONAL MATCH (staged:StagedContact {staging_id: $staging, id: row.id})
          USING INDEX SEEK staged:StagedContact(staging_id, id)
        FOREACH (_ IN CASE WHEN staged IS NULL THEN [1] ELSE [] END |
          CREATE (p)-[:HAS_CONTACT {source_bundle: $bundle, imported_at: $at}]->(:Contact {
            id: row.id, name: row.name, email: row.email, organisation: row.organisation,
            title: row.title, relation: row.relation, context: row.context, since: date(row.since),
            source: $source, origin_iss: row.origin_iss, origin_id: row.origin_id,
            source_issuer: $issuer, source_bundle: $bundle, imported_at: $at, created_at: $at,
            import_hash: row.import_hash}))
        FOREACH (_ IN CASE WHEN staged IS NULL THEN [] ELSE [1] END |
          SET staged:Contact REMOVE staged:StagedContact, staged.staging_id
          CREATE (p)-[:HAS_CONTACT {source_bundle: $bundle, imported_at: $at}]->(staged))
        """
UNSTAGE_RECORDS: Final = """
        MATCH (p:Person {id: $person})
        UNWIND $rows AS row
        OPTIONAL MATCH (staged:StagedRecord {staging_id: $staging, id: row.id})
          USING INDEX SEEK staged:StagedRecord(staging_id, id)
        FOREACH (_ IN CASE WHEN staged IS NULL THEN [1] ELSE [] END |
          CREATE (p)-[:HAS_EXTERNAL {source_bundle: $bundle}]->(:ExternalRecord {
            id: row.id, kind: row.kind, data: row.data, origin_iss: row.origin_iss, origin_id: row.origin_id,
            source_issuer: $issuer, source_bundle: $bundle, imported_at: $at}))
        FOREACH (_ IN CASE WHEN staged IS NULL THEN [] ELSE [1] END |
          SET staged:ExternalRecord REMOVE staged:StagedRecord, staged.staging_id
          CREATE (p)-[:HAS_EXTERNAL {source_bundle: $bundle}]->(staged))
        """

# The plan compares content hashes: a contact whose `import_hash` equals the incoming item's hash
# and that belongs to the importer is unchanged at the source, and only its id comes back; the
# fields of the others are read to tell a partner's update from a local edit.
PLAN_CONTACTS: Final = """
        UNWIND $items AS item
        MATCH (c:Contact {id: item.id})
        OPTIONAL MATCH (owner:Person)-[:HAS_CONTACT]->(c)
        WITH c, owner, coalesce(owner.id = $person AND c.import_hash = item.hash, false) AS same
        RETURN c.id AS id, owner.id AS owner, same AS as_imported, c.import_hash AS import_hash,
               CASE WHEN same THEN null
                    ELSE c {.name, .email, .organisation, .title, .relation, .context, .since}
               END AS fields
        """


class ReplayedError(ConflictError):
    """A bundle with this issuer and id was imported before."""


class BindingError(ConflictError):
    """A person uploaded a bundle whose subject is not linked to them."""


# -- the plan the importer hands over (typed; nothing else crosses this line) --------------------


@dataclass(frozen=True)
class ContactFields:
    """What a person recorded about a contact, as `:Contact` stores it."""

    name: str | None
    email: str | None
    organisation: str | None
    title: str | None
    relation: str | None
    context: str | None
    since: date | None

    def as_row(self) -> dict[str, Any]:
        # by hand, not dataclasses.asdict (which deep-copies every value): called for every
        # contact of a bundle, more than once
        return {
            "name": self.name,
            "email": self.email,
            "organisation": self.organisation,
            "title": self.title,
            "relation": self.relation,
            "context": self.context,
            "since": self.since,
        }


CONTACT_FIELDS = tuple(ContactFields.__dataclass_fields__)


@dataclass(frozen=True)
class IdentityRef:
    """A person's id at a platform: `(:ExternalIdentity {key: "<iss>|<sub>"})`."""

    iss: str
    sub: str

    @property
    def key(self) -> str:
        return f"{self.iss}|{self.sub}"

    def as_row(self) -> dict[str, str]:
        return {"key": self.key, "iss": self.iss, "sub": self.sub}


@dataclass(frozen=True)
class ImportedContact:
    id: str  # the local id: the original one when the contact originated here
    ours: bool  # originated here (came back from a round trip)
    fields: ContactFields
    origin_iss: str
    origin_id: str

    def as_row(self) -> dict[str, Any]:
        """The row the statements take: `since` as an ISO 8601 string that Cypher turns back
        into a DATE (the driver converts temporal values in pure Python, one by one)."""
        since = self.fields.since
        return {
            "id": self.id,
            **self.fields.as_row(),
            "since": since.isoformat() if since is not None else None,
            "origin_iss": self.origin_iss,
            "origin_id": self.origin_id,
        }


@dataclass(frozen=True)
class ImportedRecord:
    """A mentorship, session or outcome measurement kept with its provenance.

    A record from elsewhere becomes an `(:ExternalRecord)` (never program data here); one that
    originated here (`ours`, back from a round trip) is matched against this instance's own
    `Mentorship`/`Session`/`Measurement` by its original id and never duplicated.
    """

    id: str
    kind: str  # a record section: mentorships, sessions, outcomes
    data: str  # the item as JSON (sorted keys), without its origin
    origin_iss: str
    origin_id: str
    ours: bool = False

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "data": self.data,
            "origin_iss": self.origin_iss,
            "origin_id": self.origin_id,
        }


@dataclass(frozen=True)
class ImportActor:
    subject: str | None
    role: str


@dataclass(frozen=True)
class ImportPlan:
    """A verified, upgraded bundle as the graph merges it."""

    import_id: str
    replay_key: str
    issuer: str
    platform_id: str
    bundle_id: str
    at: datetime
    scopes: tuple[str, ...]
    schema_version: int
    consent_id: str
    status_url: str
    subject: IdentityRef  # the signer's own (iss, sub): the only identity that can bind
    importer_person_id: str | None  # set when a person uploads their own bundle
    vouched_person_id: str | None  # whom the bundle's pairwise id from here maps back to
    actor: ImportActor
    new_person_id: str
    profile: dict[str, Any] | None
    contacts: tuple[ImportedContact, ...] = ()
    records: tuple[ImportedRecord, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def items(self) -> int:
        return len(self.contacts) + len(self.records) + (1 if self.profile else 0)


@dataclass
class MergeReport:
    person_id: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def content_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _contact_fields(row: Row) -> dict[str, Any]:
    return {name: row.get(name) for name in CONTACT_FIELDS}


async def find_replay(graph: Graph, replay_key: str) -> bool:
    rows = await graph.query(
        "MATCH (i:Import {replay_key: $key}) RETURN i.id AS id", {"key": replay_key}
    )
    return bool(rows)


async def get_import(graph: Graph, import_id: str) -> Row | None:
    rows = await graph.query(
        "MATCH (i:Import {id: $id}) RETURN i.id AS id, i.report AS report, i.platform_id AS platform_id, "
        "i.person_id AS person_id, i.bundle_id AS bundle_id, i.issuer AS issuer, i.schema_version AS schema_version",
        {"id": import_id},
    )
    if not rows:
        return None
    row = rows[0]
    return {
        **row,
        "report": {
            **json.loads(row["report"]),
            **{k: row[k] for k in ("bundle_id", "issuer", "platform_id", "schema_version")},
        },
    }


# -- planning -------------------------------------------------------------------------------------


@dataclass
class _Writes:
    person_id: str
    create_person: bool
    profile_set: dict[str, Any]
    identities: list[IdentityRef]
    contact_creates: list[Row]
    contact_updates: list[Row]
    record_creates: list[Row]
    record_updates: list[Row]


async def _resolve_person(tx: AsyncManagedTransaction, plan: ImportPlan) -> tuple[str | None, bool]:
    """(local person id or None when one must be created, whether the person exists).

    Only the signer's own `(iss, sub)` binds, through a `KNOWN_AS` link this instance made: when
    a partner's push created the person, when the person imported their own bundle, or when they
    proved the link (their upload carries the pairwise id this instance gave that very issuer for
    them: `vouched_person_id`). Whatever else a bundle asserts never binds.
    """
    linked = await fetch_one(
        tx,
        "MATCH (p:Person)-[:KNOWN_AS]->(:ExternalIdentity {key: $key}) RETURN p.id AS id",
        key=plan.subject.key,
    )
    owner = linked["id"] if linked else None
    importer = plan.importer_person_id
    if importer is None:
        return owner, owner is not None
    if await fetch_one(tx, "MATCH (p:Person {id: $id}) RETURN p.id AS id", id=importer) is None:
        raise NotFoundError(
            "Create your profile here (POST /v1/people) before importing your bundle."
        )
    if owner == importer or (owner is None and plan.vouched_person_id == importer):
        return importer, True
    if owner is not None:
        raise BindingError("This bundle's subject is linked to someone else here.")
    raise BindingError(
        "This bundle's subject is not linked to you here. A bundle file proves nothing about "
        "who uploads it: import it once through the platform (a push), or upload a bundle from "
        "a platform that received your own export from here."
    )


async def _linked(tx: AsyncManagedTransaction, plan: ImportPlan, person_id: str) -> bool:
    found = await fetch_one(
        tx,
        "MATCH (:Person {id: $id})-[:KNOWN_AS]->(x:ExternalIdentity {key: $key}) RETURN x.key AS key",
        id=person_id,
        key=plan.subject.key,
    )
    return found is not None


async def _plan(tx: AsyncManagedTransaction, plan: ImportPlan) -> tuple[MergeReport, _Writes]:
    """Compare the bundle with what the graph holds; return the report and the writes to make."""
    created: Counter[str] = Counter()
    updated: Counter[str] = Counter()
    unchanged: Counter[str] = Counter()
    conflicts: list[dict[str, Any]] = []
    warnings: list[str] = list(plan.warnings)

    resolved, exists = await _resolve_person(tx, plan)
    person_id = resolved or plan.new_person_id
    profile_set: dict[str, Any] = {}
    profile = plan.profile
    if not exists:
        created["people"] += 1
        profile_set = {k: v for k, v in (profile or {}).items() if v not in (None, [])}
        if not profile_set.get("display_name"):
            profile_set["display_name"] = "Imported person"
    elif profile:
        local = await fetch_one(
            tx,
            "MATCH (p:Person {id: $id}) RETURN p {.display_name, .headline, .skills, .interests, .languages, .timezone} AS p",
            id=person_id,
        )
        current = local["p"] if local else {}
        for name in PROFILE_FIELDS:
            incoming = profile.get(name)
            if incoming in (None, []):
                continue
            mine = current.get(name)
            if mine in (None, [], ""):
                profile_set[name] = incoming
            elif mine != incoming:
                conflicts.append(
                    {"item": "profile", "id": person_id, "field": name, "kept": "local"}
                )
        (updated if profile_set else unchanged)["profile"] += 1

    new_identities = (
        []
        if exists and resolved is not None and await _linked(tx, plan, resolved)
        else [plan.subject]
    )
    created["identities"] += len(new_identities)
    unchanged["identities"] += 1 - len(new_identities)

    contact_creates: list[Row] = []
    contact_updates: list[Row] = []
    hashes = {c.id: content_hash(c.fields.as_row()) for c in plan.contacts}
    existing_contacts = {
        row["id"]: row
        for row in await fetch_all(
            tx,
            PLAN_CONTACTS,
            items=[{"id": id_, "hash": hash_} for id_, hash_ in hashes.items()],
            person=person_id,
        )
    }
    known = {
        row["id"]
        for row in await fetch_all(
            tx,
            "MATCH (:Person {id: $person})-[k:KNOWS]->() WHERE k.id IN $ids RETURN k.id AS id",
            person=person_id,
            ids=[c.id for c in plan.contacts if c.ours],
        )
    }
    for contact in plan.contacts:
        fields = contact.fields.as_row()
        mine = existing_contacts.get(contact.id)
        if mine is None and contact.id in known:
            unchanged["contacts"] += 1  # one of the person's contacts who are people here
        elif mine is None:
            if contact.ours:
                warnings.append(
                    f"Contact {contact.id} originated here but no longer exists; it was not recreated."
                )
                continue
            contact_creates.append({**contact.as_row(), "import_hash": hashes[contact.id]})
            created["contacts"] += 1
        elif mine["owner"] != person_id:
            warnings.append(f"Contact {contact.id} belongs to someone else here; skipped.")
        elif mine["as_imported"] or _contact_fields(mine["fields"]) == fields:
            unchanged["contacts"] += 1
        elif mine["import_hash"] is not None and mine["import_hash"] == content_hash(
            _contact_fields(mine["fields"])
        ):
            contact_updates.append({**contact.as_row(), "import_hash": hashes[contact.id]})
            updated["contacts"] += 1
        else:
            conflicts.append({"item": "contact", "id": contact.id, "field": "*", "kept": "local"})

    record_creates: list[Row] = []
    record_updates: list[Row] = []
    existing_records = {
        row["id"]: row["same"]
        for row in await fetch_all(
            tx,
            "UNWIND $items AS item MATCH (r:ExternalRecord {id: item.id}) "
            "RETURN r.id AS id, r.data = item.data AS same",
            items=[{"id": r.id, "data": r.data} for r in plan.records],
        )
    }
    ours_found = {
        row["id"]
        for row in await fetch_all(
            tx,
            """
            MATCH (p:Person {id: $person})
            UNWIND $rows AS row
            WITH p, row WHERE CASE row.kind
              WHEN 'mentorships' THEN EXISTS { (p)-[:MENTOR_IN|MENTEE_IN]->(:Mentorship {id: row.id}) }
              WHEN 'sessions' THEN EXISTS {
                (p)-[:MENTOR_IN|MENTEE_IN]->(:Mentorship)-[:HAS_SESSION]->(:Session {id: row.id}) }
              ELSE EXISTS { (:Measurement {id: row.id})-[:OF_PERSON]->(p) } END
            RETURN row.id AS id
            """,
            person=person_id,
            rows=[{"id": r.id, "kind": r.kind} for r in plan.records if r.ours],
        )
    }
    for record in plan.records:
        if record.ours:
            if record.id in ours_found:
                unchanged[record.kind] += 1  # this instance's own record, back from a round trip
            else:
                warnings.append(
                    f"Record {record.id} originated here but is not this person's; it was not recreated."
                )
        elif record.id not in existing_records:
            record_creates.append(record.as_row())
            created[record.kind] += 1
        elif existing_records[record.id]:
            unchanged[record.kind] += 1
        else:
            record_updates.append(record.as_row())
            updated[record.kind] += 1

    report = MergeReport(
        person_id=person_id,
        created={k: v for k, v in sorted(created.items()) if v},
        updated={k: v for k, v in sorted(updated.items()) if v},
        unchanged={k: v for k, v in sorted(unchanged.items()) if v},
        conflicts=conflicts,
        warnings=warnings,
    )
    writes = _Writes(
        person_id=person_id,
        create_person=not exists,
        profile_set=profile_set,
        identities=new_identities,
        contact_creates=contact_creates,
        contact_updates=contact_updates,
        record_creates=record_creates,
        record_updates=record_updates,
    )
    return report, writes


# -- applying -------------------------------------------------------------------------------------


async def _apply(
    tx: AsyncManagedTransaction, plan: ImportPlan, writes: _Writes, report: MergeReport
) -> None:
    base = {
        "bundle": plan.bundle_id,
        "issuer": plan.issuer,
        "at": plan.at,
        "source": f"imported:{plan.platform_id}",
    }
    if writes.create_person:
        await execute(
            tx,
            "MERGE (p:Person {id: $id}) ON CREATE SET p += $profile, p.roles = coalesce(p.roles, []), "
            "p.capacity = 0, p.discoverable = false, p.created_at = $at, p.updated_at = $at, "
            "p.source_issuer = $issuer, p.source_bundle = $bundle, p.imported_at = $at",
            id=writes.person_id,
            profile=writes.profile_set,
            **base,
        )
    elif writes.profile_set:
        await execute(
            tx,
            "MATCH (p:Person {id: $id}) SET p += $profile, p.updated_at = $at",
            id=writes.person_id,
            profile=writes.profile_set,
            at=plan.at,
        )
    await execute(
        tx,
        """
        MATCH (p:Person {id: $person})
        UNWIND $identities AS identity
        MERGE (x:ExternalIdentity {key: identity.key})
          ON CREATE SET x.iss = identity.iss, x.sub = identity.sub, x.source_bundle = $bundle,
                        x.source_issuer = $issuer, x.imported_at = $at
        MERGE (p)-[r:KNOWN_AS]->(x)
          ON CREATE SET r.source_bundle = $bundle, r.imported_at = $at
        """,
        person=writes.person_id,
        identities=[identity.as_row() for identity in writes.identities],
        **{k: base[k] for k in ("bundle", "issuer", "at")},
    )
    await execute(
        tx,
        UNSTAGE_CONTACTS,
        person=writes.person_id,
        rows=writes.contact_creates,
        staging=plan.import_id,
        **base,
    )
    await execute(
        tx,
        """
        UNWIND $rows AS row
        MATCH (c:Contact {id: row.id})
        SET c.name = row.name, c.email = row.email, c.organisation = row.organisation, c.title = row.title,
            c.relation = row.relation, c.context = row.context, c.since = date(row.since),
            c.import_hash = row.import_hash, c.source_bundle = $bundle, c.updated_at = $at
        """,
        rows=writes.contact_updates,
        bundle=base["bundle"],
        at=base["at"],
    )
    await execute(
        tx,
        UNSTAGE_RECORDS,
        person=writes.person_id,
        rows=writes.record_creates,
        staging=plan.import_id,
        **{k: base[k] for k in ("bundle", "issuer", "at")},
    )
    await execute(
        tx,
        "UNWIND $rows AS row MATCH (r:ExternalRecord {id: row.id}) SET r.data = row.data, r.source_bundle = $bundle, r.updated_at = $at",
        rows=writes.record_updates,
        bundle=base["bundle"],
        at=base["at"],
    )
    await execute(
        tx,
        "MATCH (s:StagedContact|StagedRecord {staging_id: $staging}) DETACH DELETE s",
        staging=plan.import_id,
    )
    await execute(
        tx,
        """
        MATCH (p:Person {id: $person})
        CREATE (i:Import {id: $id, replay_key: $replay_key, issuer: $issuer, platform_id: $platform_id,
                          bundle_id: $bundle, at: $at, status: 'applied', person_id: $person,
                          scopes: $scopes, report: $report, schema_version: $schema_version})
        CREATE (i)-[:FOR]->(p)
        MERGE (consent:InboundConsent {key: $consent_key})
          ON CREATE SET consent.consent_id = $consent_id, consent.issuer = $issuer,
                        consent.status_url = $status_url, consent.first_at = $at
        CREATE (i)-[:UNDER]->(consent)
        WITH i
        OPTIONAL MATCH (platform:Platform {id: $platform_id})
        FOREACH (_ IN CASE WHEN platform IS NULL THEN [] ELSE [1] END | CREATE (i)-[:FROM]->(platform))
        """,
        person=writes.person_id,
        id=plan.import_id,
        replay_key=plan.replay_key,
        issuer=plan.issuer,
        platform_id=plan.platform_id,
        bundle=plan.bundle_id,
        at=plan.at,
        scopes=list(plan.scopes),
        report=json.dumps(report.as_dict(), sort_keys=True, default=str),
        schema_version=plan.schema_version,
        consent_key=f"{plan.issuer}|{plan.consent_id}",
        consent_id=plan.consent_id,
        status_url=plan.status_url,
    )
    await audit.record(
        tx,
        audit.BUNDLE_IMPORTED,
        at=plan.at,
        actor=AuditActor(subject=plan.actor.subject, role=plan.actor.role),
        outcome="applied",
        person_id=writes.person_id,
        audience=plan.platform_id,
        consent_id=plan.consent_id,
        bundle_id=plan.bundle_id,
    )


_STAGE_CYPHER: dict[str, LiteralString] = {
    "StagedContact": "UNWIND $rows AS row CREATE (s:StagedContact {staging_id: $staging}) "
    "SET s += row, s.since = date(row.since), s.source = $source, s.source_issuer = $issuer, "
    "s.source_bundle = $bundle, s.imported_at = $at, s.created_at = $at",
    "StagedRecord": "UNWIND $rows AS row CREATE (s:StagedRecord {staging_id: $staging}) "
    "SET s += row, s.source = $source, s.source_issuer = $issuer, s.source_bundle = $bundle, "
    "s.imported_at = $at",
}
"""What is the same for every staged row (provenance, the import's time) is a parameter of the
statement, not a value repeated in each row (the driver converts each datetime in Python)."""


async def _stage(graph: Graph, plan: ImportPlan, writes: _Writes) -> None:
    """Write the items to create as invisible staged nodes, in batches of their own transactions."""
    for label, rows in (
        ("StagedContact", writes.contact_creates),
        ("StagedRecord", writes.record_creates),
    ):
        for start in range(0, len(rows), STAGE_BATCH):
            batch = rows[start : start + STAGE_BATCH]

            async def work(
                tx: AsyncManagedTransaction, batch: list[Row] = batch, label: str = label
            ) -> None:
                await execute(
                    tx,
                    _STAGE_CYPHER[label],
                    rows=[{k: v for k, v in row.items() if v is not None} for row in batch],
                    staging=plan.import_id,
                    source=f"imported:{plan.platform_id}",
                    issuer=plan.issuer,
                    bundle=plan.bundle_id,
                    at=plan.at,
                )

            await graph.write(work)


async def merge_bundle(
    graph: Graph, plan: ImportPlan, *, dry_run: bool, single_tx_items: int
) -> MergeReport:
    """Plan, and unless `dry_run` apply, the merge of a verified, upgraded bundle; return the report."""

    async def plan_only(tx: AsyncManagedTransaction) -> tuple[MergeReport, _Writes]:
        if await fetch_one(
            tx, "MATCH (i:Import {replay_key: $key}) RETURN i.id AS id", key=plan.replay_key
        ):
            raise ReplayedError("This bundle was imported before.")
        return await _plan(tx, plan)

    if dry_run:
        report, _ = await graph.read(plan_only)
        return report

    staged = False

    async def plan_and_apply(tx: AsyncManagedTransaction) -> MergeReport | _Writes:
        """Plan in the final transaction; apply, unless the items to create must be staged
        first (then nothing is written and the writes come back, to stage)."""
        fresh, fresh_writes = await plan_only(tx)
        creates = len(fresh_writes.contact_creates) + len(fresh_writes.record_creates)
        if not staged and creates > single_tx_items:
            return fresh_writes
        await _apply(tx, plan, fresh_writes, fresh)
        return fresh

    try:
        # A bundle whose new items fit in one transaction (every re-import, however large) is
        # planned once; a larger fresh one is planned, staged, then planned again and applied.
        outcome = await graph.write(plan_and_apply)
        if isinstance(outcome, _Writes):
            await _stage(graph, plan, outcome)
            staged = True
            outcome = await graph.write(plan_and_apply)
        assert isinstance(outcome, MergeReport)
        return outcome
    except ConstraintError as error:
        await _unstage(graph, plan.import_id)
        raise ReplayedError("This bundle was imported before (concurrently).") from error
    except Exception:
        await _unstage(graph, plan.import_id)
        raise


async def _unstage(graph: Graph, import_id: str) -> None:
    await graph.query(
        "MATCH (s:StagedContact|StagedRecord {staging_id: $s}) DETACH DELETE s",
        {"s": import_id},
        write=True,
    )


REDACTED = "[erased]"


async def erase_imported(tx: AsyncManagedTransaction, person_id: str) -> None:
    """Part of a person's erasure (graph/people.py): their imported records and identity links go,
    and import reports no longer name them (the person id becomes `[erased]`)."""
    await execute(
        tx,
        "MATCH (:Person {id: $id})-[:HAS_EXTERNAL]->(r:ExternalRecord) DETACH DELETE r",
        id=person_id,
    )
    await execute(
        tx,
        """
        MATCH (:Person {id: $id})-[k:KNOWN_AS]->(x:ExternalIdentity)
        DELETE k
        WITH x WHERE NOT EXISTS { ()-[:KNOWN_AS]->(x) }
        DELETE x
        """,
        id=person_id,
    )
    await execute(
        tx,
        "MATCH (i:Import {person_id: $id}) "
        "SET i.person_id = null, i.report = replace(i.report, $id, $redacted)",
        id=person_id,
        redacted=REDACTED,
    )
    await execute(tx, "MATCH (x:Pseudonym {local_id: $id}) DETACH DELETE x", id=person_id)


async def sweep_staging(graph: Graph, staged_before: datetime, batch: int = STAGE_BATCH) -> int:
    """Delete staged items left by imports that never finished (a crash mid-staging) and were
    staged before `staged_before`; return how many. Staged items are invisible either way."""
    removed = 0
    while True:
        rows = await graph.query(
            "MATCH (s:StagedContact|StagedRecord) WHERE s.imported_at < $before "
            "WITH s LIMIT $batch DETACH DELETE s RETURN count(*) AS n",
            {"before": staged_before, "batch": batch},
            write=True,
        )
        count = int(rows[0]["n"]) if rows else 0
        removed += count
        if count < batch:
            return removed


async def list_imported_records(
    graph: Graph, person_id: str, page: PageRequest, *, kind: str | None = None
) -> RowPage:
    """A person's records imported from other platforms, with their provenance, oldest first."""
    return await read_page(
        graph,
        f"""
        MATCH (:Person {{id: $person}})-[:HAS_EXTERNAL]->(r:ExternalRecord)
        WHERE ($kind IS NULL OR r.kind = $kind) AND {after_clause("r.imported_at", "r.id")}
        RETURN r {{.id, .kind, .data, .origin_iss, .origin_id, .source_issuer, .source_bundle,
                  .imported_at}} AS record
        ORDER BY r.imported_at, r.id LIMIT $fetch
        """,
        "record",
        page,
        order_key="imported_at",
        person=person_id,
        kind=kind,
    )
