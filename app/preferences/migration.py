"""Run the legacy preference migration: a dry-run report first, then an idempotent apply, and rollback.

The report counts people per outcome (`changed`, `unchanged`, `unknown_person`, `duplicate_record`,
`invalid_record`), ambiguous values and unknown flags, lists each changed person's diff, and names
every record it did not apply: `invalid_records` (position in the file, 0-based, and why),
`duplicate_records` (position and person id; the first record of a person wins) and
`unknown_people` (position and person id). Applying the same file
twice changes nothing the second time (the file's SHA-256 is recorded with the run).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from app.preferences.legacy import PersonPlan, plan_person
from graph import preferences as store
from graph.db import Graph
from graph.ids import new_id


class LegacyFileError(ValueError):
    """The legacy file is not a JSON list of `{person_id, flags}` records."""


def parse_legacy(raw: bytes) -> list[Any]:
    try:
        records = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LegacyFileError(f"not JSON: {error}") from error
    if not isinstance(records, list):
        raise LegacyFileError("expected a JSON list of records")
    return records


def invalid_reason(record: Any) -> str | None:
    """Why a record is not a `{person_id, flags}` object, or None when it is one."""
    if not isinstance(record, dict):
        return f"expected an object, got {type(record).__name__}"
    if not isinstance(record.get("person_id"), str):
        return "person_id is missing or not a string"
    if not isinstance(record.get("flags"), dict):
        return "flags is missing or not an object"
    return None


async def plan(graph: Graph, records: list[Any]) -> tuple[list[PersonPlan], dict[str, Any]]:
    invalid = [
        {"index": index, "reason": reason}
        for index, record in enumerate(records)
        if (reason := invalid_reason(record)) is not None
    ]
    valid = [
        (index, record) for index, record in enumerate(records) if invalid_reason(record) is None
    ]
    current = await store.current_choices(graph, [r["person_id"] for _, r in valid])
    plans: list[PersonPlan] = []
    outcomes: Counter[str] = Counter(invalid_record=len(invalid))
    unknown_people: list[dict[str, Any]] = []
    duplicates: list[dict[str, Any]] = []
    seen: set[str] = set()
    ambiguous: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    for index, record in valid:
        person_id = record["person_id"]
        if person_id not in current:
            outcomes["unknown_person"] += 1
            unknown_people.append({"index": index, "person_id": person_id})
            continue
        if person_id in seen:
            outcomes["duplicate_record"] += 1
            duplicates.append({"index": index, "person_id": person_id})
            continue
        seen.add(person_id)
        person_plan = plan_person(
            person_id, record["flags"], current[person_id], json.dumps(record, sort_keys=True)
        )
        plans.append(person_plan)
        outcomes["changed" if person_plan.changed else "unchanged"] += 1
        ambiguous.update(person_plan.ambiguous)
        unknown.update(person_plan.unknown_flags)
    report: dict[str, Any] = {
        "records": len(records),
        "outcomes": {
            key: outcomes.get(key, 0)
            for key in (
                "changed",
                "unchanged",
                "unknown_person",
                "duplicate_record",
                "invalid_record",
            )
        },
        "invalid_records": invalid,
        "duplicate_records": duplicates,
        "unknown_people": unknown_people,
        "ambiguous_values": dict(sorted(ambiguous.items())),
        "unknown_flags": dict(sorted(unknown.items())),
        "people": [
            {
                "person_id": p.person_id,
                "diff": p.diff(),
                "ambiguous": p.ambiguous,
                "unknown_flags": p.unknown_flags,
            }
            for p in plans
            if p.changed
        ],
    }
    return plans, report


async def migrate(graph: Graph, raw: bytes, *, dry_run: bool) -> dict[str, Any]:
    sha = hashlib.sha256(raw).hexdigest()
    records = parse_legacy(raw)
    previous = await store.applied_migration_for(graph, sha)
    if previous is not None and not dry_run:
        return {
            "status": "already-applied",
            "migration_id": previous["id"],
            "source_sha256": sha,
            **json.loads(previous["report"]),
        }
    plans, report = await plan(graph, records)
    if dry_run:
        return {"status": "dry-run", "migration_id": None, "source_sha256": sha, **report}
    migration_id = new_id("mig")
    changes = [
        {"person_id": p.person_id, "after": p.after, "legacy": p.legacy} for p in plans if p.changed
    ]
    await store.apply_migration(
        graph,
        migration_id=migration_id,
        source_sha256=sha,
        changes=changes,
        report=report,
        now=datetime.now(UTC),
    )
    return {"status": "applied", "migration_id": migration_id, "source_sha256": sha, **report}


async def rollback(graph: Graph, migration_id: str) -> store.Rollback:
    """Undo a migration; a second rollback restores nothing and says when the first one ran."""
    return await store.rollback_migration(graph, migration_id, datetime.now(UTC))
