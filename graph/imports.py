"""Merging a verified bundle into the graph: idempotent by item id, with provenance — or nothing.

Every imported node records where it came from (`source_issuer`, `source_bundle`, `imported_at`,
and `origin_iss`/`origin_id` of the item). The same person arriving twice from one platform is one
person: `(:Person)-[:KNOWN_AS]->(:ExternalIdentity {key: "<issuer>|<their id>"})`. Local edits
are never overwritten: an imported contact whose fields no longer match what was imported
(`import_hash`) is kept as it is, and reported as a conflict when the bundle changes it. A
re-import compares content hashes: an item its source has not changed since it was imported is
`unchanged` (one id and one boolean read back, nothing written).

A bundle up to `single_tx_items` items is merged in one transaction. A larger one is first
written as `(:StagedContact)`/`(:StagedRecord)` nodes — invisible to every query of the service —
in batches, then made visible in one final transaction, so a crash never leaves half a bundle
visible. A dry run plans in a read transaction and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime
from typing import Any, Final

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from graph import audit
from graph.audit import AuditActor
from graph.db import Graph
from graph.errors import ConflictError, NotFoundError
from graph.values import Row, execute, fetch_all, fetch_one

CONTACT_FIELDS = ("name", "email", "organisation", "title", "relation", "context", "since")
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
            title: row.title, relation: row.relation, context: row.context, since: row.since,
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


class IdentityConflictError(ConflictError):
    """The bundle's identities point at more than one local person, or not at the importer."""


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


async def _resolve_person(
    tx: AsyncManagedTransaction, bundle: dict[str, Any]
) -> tuple[str | None, bool]:
    """(local person id or None when one must be created, whether the person exists)."""
    found = await fetch_all(
        tx,
        "MATCH (p:Person)-[:KNOWN_AS]->(x:ExternalIdentity) WHERE x.key IN $keys RETURN DISTINCT p.id AS id",
        keys=[identity["key"] for identity in bundle["identities"]],
    )
    candidates = {row["id"] for row in found}
    if bundle.get("local_person_id"):
        local = await fetch_one(
            tx, "MATCH (p:Person {id: $id}) RETURN p.id AS id", id=bundle["local_person_id"]
        )
        if local is not None:
            candidates.add(local["id"])
    importer = bundle.get("importer_person_id")
    if importer is not None:
        if await fetch_one(tx, "MATCH (p:Person {id: $id}) RETURN p.id AS id", id=importer) is None:
            raise NotFoundError(
                "Create your profile here (POST /v1/people) before importing your bundle."
            )
        if candidates - {importer}:
            raise IdentityConflictError(
                "This bundle describes someone else: its identities belong to another person here."
            )
        return importer, True
    if len(candidates) > 1:
        raise IdentityConflictError(
            "The bundle's identities point at more than one person here; resolve that first."
        )
    if candidates:
        return candidates.pop(), True
    return None, False


async def _plan(tx: AsyncManagedTransaction, bundle: dict[str, Any]) -> dict[str, Any]:
    """Compare the bundle with what the graph holds; return the report and the writes to make."""
    created: Counter[str] = Counter()
    updated: Counter[str] = Counter()
    unchanged: Counter[str] = Counter()
    conflicts: list[dict[str, Any]] = []
    warnings: list[str] = list(bundle.get("warnings", []))

    person_id, exists = await _resolve_person(tx, bundle)
    person_id = person_id or bundle["new_person_id"]
    profile_set: dict[str, Any] = {}
    profile = bundle.get("profile")
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
        for field in PROFILE_FIELDS:
            incoming = profile.get(field)
            if incoming in (None, []):
                continue
            mine = current.get(field)
            if mine in (None, [], ""):
                profile_set[field] = incoming
            elif mine != incoming:
                conflicts.append(
                    {"item": "profile", "id": person_id, "field": field, "kept": "local"}
                )
        (updated if profile_set else unchanged)["profile"] += 1

    identity_keys = [identity["key"] for identity in bundle["identities"]]
    linked = await fetch_all(
        tx,
        "MATCH (x:ExternalIdentity) WHERE x.key IN $keys OPTIONAL MATCH (p:Person)-[:KNOWN_AS]->(x) "
        "RETURN x.key AS key, p.id AS person_id",
        keys=identity_keys,
    )
    linked_to = {row["key"]: row["person_id"] for row in linked}
    new_identities = [i for i in bundle["identities"] if linked_to.get(i["key"]) is None]
    created["identities"] += len(new_identities)
    unchanged["identities"] += len(bundle["identities"]) - len(new_identities)

    contact_creates: list[Row] = []
    contact_updates: list[Row] = []
    hashes = {c["id"]: content_hash(_contact_fields(c)) for c in bundle["contacts"]}
    existing_contacts = {
        row["id"]: row
        for row in await fetch_all(
            tx,
            PLAN_CONTACTS,
            items=[{"id": id_, "hash": hash_} for id_, hash_ in hashes.items()],
            person=person_id,
        )
    }
    for contact in bundle["contacts"]:
        fields = _contact_fields(contact)
        mine = existing_contacts.get(contact["id"])
        if mine is None:
            if contact.get("ours"):
                warnings.append(
                    f"Contact {contact['id']} originated here but no longer exists; it was not recreated."
                )
                continue
            contact_creates.append({**contact, "import_hash": hashes[contact["id"]]})
            created["contacts"] += 1
        elif mine["owner"] != person_id:
            warnings.append(f"Contact {contact['id']} belongs to someone else here; skipped.")
        elif mine["as_imported"] or mine["fields"] == fields:
            unchanged["contacts"] += 1
        elif mine["import_hash"] is not None and mine["import_hash"] == content_hash(
            mine["fields"]
        ):
            contact_updates.append({**contact, "import_hash": hashes[contact["id"]]})
            updated["contacts"] += 1
        else:
            conflicts.append(
                {"item": "contact", "id": contact["id"], "field": "*", "kept": "local"}
            )

    record_creates: list[Row] = []
    record_updates: list[Row] = []
    existing_records = {
        row["id"]: row["same"]
        for row in await fetch_all(
            tx,
            "UNWIND $items AS item MATCH (r:ExternalRecord {id: item.id}) "
            "RETURN r.id AS id, r.data = item.data AS same",
            items=[{"id": r["id"], "data": r["data"]} for r in bundle["records"]],
        )
    }
    for record in bundle["records"]:
        kind = record["kind"]
        if record["id"] not in existing_records:
            record_creates.append(record)
            created[kind] += 1
        elif existing_records[record["id"]]:
            unchanged[kind] += 1
        else:
            record_updates.append(record)
            updated[kind] += 1

    report = {
        "person_id": person_id,
        "created": {k: v for k, v in sorted(created.items()) if v},
        "updated": {k: v for k, v in sorted(updated.items()) if v},
        "unchanged": {k: v for k, v in sorted(unchanged.items()) if v},
        "conflicts": conflicts,
        "warnings": warnings,
    }
    writes = {
        "person_id": person_id,
        "create_person": not exists,
        "profile_set": profile_set,
        "identities": new_identities,
        "contact_creates": contact_creates,
        "contact_updates": contact_updates,
        "record_creates": record_creates,
        "record_updates": record_updates,
    }
    return {"report": report, "writes": writes}


# -- applying -------------------------------------------------------------------------------------


async def _apply(
    tx: AsyncManagedTransaction,
    bundle: dict[str, Any],
    writes: dict[str, Any],
    report: dict[str, Any],
) -> None:
    base = {
        "bundle": bundle["bundle_id"],
        "issuer": bundle["issuer"],
        "at": bundle["at"],
        "source": f"imported:{bundle['platform_id']}",
    }
    if writes["create_person"]:
        await execute(
            tx,
            "MERGE (p:Person {id: $id}) ON CREATE SET p += $profile, p.roles = coalesce(p.roles, []), "
            "p.capacity = 0, p.discoverable = false, p.created_at = $at, p.updated_at = $at, "
            "p.source_issuer = $issuer, p.source_bundle = $bundle, p.imported_at = $at",
            id=writes["person_id"],
            profile=writes["profile_set"],
            **base,
        )
    elif writes["profile_set"]:
        await execute(
            tx,
            "MATCH (p:Person {id: $id}) SET p += $profile, p.updated_at = $at",
            id=writes["person_id"],
            profile=writes["profile_set"],
            at=bundle["at"],
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
        person=writes["person_id"],
        identities=writes["identities"],
        **{k: base[k] for k in ("bundle", "issuer", "at")},
    )
    await execute(
        tx,
        UNSTAGE_CONTACTS,
        person=writes["person_id"],
        rows=writes["contact_creates"],
        staging=bundle["import_id"],
        **base,
    )
    await execute(
        tx,
        """
        UNWIND $rows AS row
        MATCH (c:Contact {id: row.id})
        SET c.name = row.name, c.email = row.email, c.organisation = row.organisation, c.title = row.title,
            c.relation = row.relation, c.context = row.context, c.since = row.since,
            c.import_hash = row.import_hash, c.source_bundle = $bundle, c.updated_at = $at
        """,
        rows=writes["contact_updates"],
        bundle=base["bundle"],
        at=base["at"],
    )
    await execute(
        tx,
        UNSTAGE_RECORDS,
        person=writes["person_id"],
        rows=writes["record_creates"],
        staging=bundle["import_id"],
        **{k: base[k] for k in ("bundle", "issuer", "at")},
    )
    await execute(
        tx,
        "UNWIND $rows AS row MATCH (r:ExternalRecord {id: row.id}) SET r.data = row.data, r.source_bundle = $bundle, r.updated_at = $at",
        rows=writes["record_updates"],
        bundle=base["bundle"],
        at=base["at"],
    )
    await execute(
        tx,
        "MATCH (s:StagedContact|StagedRecord {staging_id: $staging}) DETACH DELETE s",
        staging=bundle["import_id"],
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
        person=writes["person_id"],
        id=bundle["import_id"],
        replay_key=bundle["replay_key"],
        issuer=bundle["issuer"],
        platform_id=bundle["platform_id"],
        bundle=bundle["bundle_id"],
        at=bundle["at"],
        scopes=bundle["scopes"],
        report=json.dumps(report, sort_keys=True, default=str),
        schema_version=bundle["schema_version"],
        consent_key=f"{bundle['issuer']}|{bundle['consent']['consent_id']}",
        consent_id=bundle["consent"]["consent_id"],
        status_url=bundle["consent"]["status_url"],
    )
    actor = bundle.get("actor") or {}
    await audit.record(
        tx,
        audit.BUNDLE_IMPORTED,
        at=bundle["at"],
        actor=AuditActor(subject=actor.get("subject"), role=actor.get("role") or "system"),
        outcome="applied",
        person_id=writes["person_id"],
        audience=bundle["platform_id"],
        consent_id=bundle["consent"]["consent_id"],
        bundle_id=bundle["bundle_id"],
    )


async def _stage(graph: Graph, bundle: dict[str, Any], writes: dict[str, Any]) -> None:
    """Write the items to create as invisible staged nodes, in batches of their own transactions."""
    staging = bundle["import_id"]
    for label, key in (("StagedContact", "contact_creates"), ("StagedRecord", "record_creates")):
        rows = writes[key]
        for start in range(0, len(rows), STAGE_BATCH):
            batch = rows[start : start + STAGE_BATCH]

            async def work(
                tx: AsyncManagedTransaction, batch: list[Row] = batch, label: str = label
            ) -> None:
                cypher = (
                    "UNWIND $rows AS row CREATE (s:StagedContact {staging_id: $staging}) SET s += row"
                    if label == "StagedContact"
                    else "UNWIND $rows AS row CREATE (s:StagedRecord {staging_id: $staging}) SET s += row"
                )
                await execute(
                    tx, cypher, rows=[_stageable(row, bundle) for row in batch], staging=staging
                )

            await graph.write(work)


def _stageable(row: Row, bundle: dict[str, Any]) -> Row:
    staged = {k: v for k, v in row.items() if k != "ours" and v is not None}
    staged.update(
        source=f"imported:{bundle['platform_id']}",
        source_issuer=bundle["issuer"],
        source_bundle=bundle["bundle_id"],
        imported_at=bundle["at"],
    )
    if "kind" not in row or row.get("kind") in ("person", "card"):
        staged["created_at"] = bundle["at"]
        staged.pop("kind", None)
    return staged


async def merge_bundle(
    graph: Graph, bundle: dict[str, Any], *, dry_run: bool, single_tx_items: int
) -> dict[str, Any]:
    """Plan, and unless `dry_run` apply, the merge of a verified, upgraded bundle; return the report."""

    async def plan_only(tx: AsyncManagedTransaction) -> dict[str, Any]:
        if await fetch_one(
            tx, "MATCH (i:Import {replay_key: $key}) RETURN i.id AS id", key=bundle["replay_key"]
        ):
            raise ReplayedError("This bundle was imported before.")
        return await _plan(tx, bundle)

    if dry_run:
        planned = await graph.read(plan_only)
        report: dict[str, Any] = planned["report"]
        return report
    if len(bundle["contacts"]) + len(bundle["records"]) > single_tx_items:
        # Planned once outside the final transaction only when the bundle may need staging;
        # a smaller bundle is planned once, in that transaction.
        planned = await graph.read(plan_only)
        writes = planned["writes"]
        if len(writes["contact_creates"]) + len(writes["record_creates"]) > single_tx_items:
            await _stage(graph, bundle, writes)

    async def plan_and_apply(tx: AsyncManagedTransaction) -> dict[str, Any]:
        fresh = await plan_only(tx)
        await _apply(tx, bundle, fresh["writes"], fresh["report"])
        result: dict[str, Any] = fresh["report"]
        return result

    try:
        return await graph.write(plan_and_apply)
    except ConstraintError as error:
        await graph.query(
            "MATCH (s:StagedContact|StagedRecord {staging_id: $s}) DETACH DELETE s",
            {"s": bundle["import_id"]},
            write=True,
        )
        raise ReplayedError("This bundle was imported before (concurrently).") from error
    except Exception:
        await graph.query(
            "MATCH (s:StagedContact|StagedRecord {staging_id: $s}) DETACH DELETE s",
            {"s": bundle["import_id"]},
            write=True,
        )
        raise


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
