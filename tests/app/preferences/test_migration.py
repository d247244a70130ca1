"""The legacy migration on the messy fixture: dry run writes nothing, apply is idempotent, nobody
ends up sharing more than before, every change is audited and the legacy record kept, and rollback
restores the exact previous state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.preferences import migration
from app.preferences.legacy import LEGACY_FLAGS, read_flag
from app.preferences.model import ORDER
from graph.db import Graph

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "legacy_preferences.json"
RAW = FIXTURE.read_bytes()
IN_GRAPH = [f"per_legacy{n:02d}" for n in range(1, 11)]


@pytest.fixture
async def people(graph: Graph) -> None:
    await graph.query(
        "UNWIND $ids AS id CREATE (:Person {id: id, display_name: id, discoverable: false, created_at: datetime()})",
        {"ids": IN_GRAPH},
        write=True,
    )
    # One person already chose under schema v2: contacts shared, not discoverable.
    await graph.query(
        "MATCH (p:Person {id: 'per_legacy08'}) SET p.pref_choices = '{\"share_contacts\": true}', "
        "p.pref_overrides = '{}', p.pref_version = 2, p.pref_updated_at = datetime('2026-01-02T03:04:05Z')",
        write=True,
    )


async def _state(graph: Graph) -> dict[str, Any]:
    nodes = await graph.query(
        "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label"
    )
    rels = await graph.query("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type")
    people = await graph.query(
        "MATCH (p:Person) RETURN p.id AS id, properties(p) AS props ORDER BY id"
    )
    return {
        "nodes": {row["label"]: row["n"] for row in nodes},
        "rels": {row["type"]: row["n"] for row in rels},
        "people": {row["id"]: {k: str(v) for k, v in row["props"].items()} for row in people},
    }


async def test_dry_run_reports_and_writes_nothing(graph: Graph, people: None) -> None:
    before = await _state(graph)
    report = await migration.migrate(graph, RAW, dry_run=True)
    assert await _state(graph) == before
    assert report["status"] == "dry-run"
    assert report["records"] == 14
    assert report["outcomes"] == {
        "changed": 8,
        "unchanged": 1,
        "unknown_person": 1,
        "duplicate_record": 1,
        "invalid_record": 3,
    }
    # Every record not applied is named, by its position in the file.
    assert report["invalid_records"] == [
        {"index": 10, "reason": "person_id is missing or not a string"},
        {"index": 11, "reason": "person_id is missing or not a string"},
        {"index": 12, "reason": "flags is missing or not an object"},
    ]
    assert report["duplicate_records"] == [{"index": 13, "person_id": "per_legacy01"}]
    assert report["unknown_people"] == [{"index": 8, "person_id": "per_not_in_graph"}]
    assert report["unknown_flags"] == {"newsletter": 1, "unknown_flag": 1}
    assert report["ambiguous_values"]["discoverable"] == 3
    diffs = {p["person_id"]: p["diff"] for p in report["people"]}
    assert diffs["per_legacy01"] == {
        "discoverable": {"before": None, "after": True},
        "profile_visibility": {"before": None, "after": "public"},
        "share_contacts": {"before": None, "after": False},
    }
    assert diffs["per_legacy02"] == {
        "discoverable": {"before": None, "after": False},
        "profile_visibility": {"before": None, "after": "private"},
        "share_contacts": {"before": None, "after": False},
    }
    # per_legacy08 chose under v2 already: contacts shared, not discoverable — the legacy "yes"
    # to discoverability does not widen that.
    assert diffs["per_legacy08"] == {"share_outcomes": {"before": None, "after": True}}
    assert "per_legacy06" not in diffs  # no flags: nothing to change


async def test_apply_twice_equals_apply_once(graph: Graph, people: None) -> None:
    first = await migration.migrate(graph, RAW, dry_run=False)
    after_first = await _state(graph)
    second = await migration.migrate(graph, RAW, dry_run=False)
    assert first["status"] == "applied"
    assert second["status"] == "already-applied"
    assert second["migration_id"] == first["migration_id"]
    assert await _state(graph) == after_first
    replanned = await migration.migrate(graph, RAW, dry_run=True)
    assert replanned["outcomes"]["changed"] == 0


async def test_nobody_shares_more_than_before(graph: Graph, people: None) -> None:
    before = {
        row["id"]: row
        for row in await graph.query(
            "MATCH (p:Person) RETURN p.id AS id, p.discoverable AS discoverable, p.pref_choices AS choices, "
            "p.pref_updated_at IS NOT NULL AS chose"
        )
    }
    await migration.migrate(graph, RAW, dry_run=False)
    after = {
        row["id"]: row
        for row in await graph.query(
            "MATCH (p:Person) RETURN p.id AS id, p.discoverable AS discoverable, p.pref_choices AS choices"
        )
    }
    records: dict[str, dict[str, Any]] = {}
    for record in json.loads(RAW):
        if (
            isinstance(record, dict)
            and isinstance(record.get("person_id"), str)
            and isinstance(record.get("flags"), dict)
        ):
            records.setdefault(
                record["person_id"], record["flags"]
            )  # the first record of a person counts
    for person_id in IN_GRAPH:
        # What the legacy record shared, per v2 key: the widest explicitly-yes value, else the narrowest.
        legacy_allows: dict[str, Any] = {}
        for name, value in records.get(person_id, {}).items():
            if name in LEGACY_FLAGS:
                key, yes_value, no_value = LEGACY_FLAGS[name]
                granted = yes_value if read_flag(value) is True else no_value
                if key not in legacy_allows or ORDER[key].index(granted) > ORDER[key].index(
                    legacy_allows[key]
                ):
                    legacy_allows[key] = granted
        prior = json.loads(before[person_id]["choices"] or "{}")
        if before[person_id]["chose"]:
            prior["discoverable"] = before[person_id]["discoverable"]
        now = json.loads(after[person_id]["choices"] or "{}")
        now["discoverable"] = after[person_id]["discoverable"]
        for key, value in now.items():
            if key in prior:
                ceiling = prior[key]
            elif key in legacy_allows:
                ceiling = legacy_allows[key]
            else:
                ceiling = ORDER[key][0]  # never mentioned anywhere: must stay at the narrowest
            assert ORDER[key].index(value) <= ORDER[key].index(ceiling), (
                person_id,
                key,
                value,
                ceiling,
            )
    assert after["per_legacy08"]["discoverable"] is False  # v2 choice kept over the legacy "yes"
    assert after["per_legacy02"]["discoverable"] is False  # "" is ambiguous → narrower
    assert after["per_legacy01"]["discoverable"] is True  # an explicit legacy yes carries over
    assert json.loads(after["per_legacy04"]["choices"])["profile_visibility"] == "program"


async def test_each_change_is_audited_and_the_legacy_record_kept(
    graph: Graph, people: None
) -> None:
    report = await migration.migrate(graph, RAW, dry_run=False)
    changed = sorted(p["person_id"] for p in report["people"])
    audits = await graph.query(
        "MATCH (:PreferenceMigration {id: $id})-[:CHANGED]->(a:PreferenceAudit) RETURN a.person_id AS id ORDER BY id",
        {"id": report["migration_id"]},
    )
    assert [row["id"] for row in audits] == changed
    kept = await graph.query(
        "MATCH (l:LegacyPreferences) RETURN l.person_id AS id, l.record AS record ORDER BY id"
    )
    assert [row["id"] for row in kept] == changed
    first = json.loads(next(row["record"] for row in kept if row["id"] == "per_legacy01"))
    assert first == {
        "person_id": "per_legacy01",
        "flags": {"discoverable": "yes", "share_contacts": "no", "public_profile": True},
    }


async def test_rollback_restores_the_previous_state_exactly(graph: Graph, people: None) -> None:
    before = await _state(graph)
    report = await migration.migrate(graph, RAW, dry_run=False)
    assert await _state(graph) != before
    done = await migration.rollback(graph, report["migration_id"])
    assert done.restored == report["outcomes"]["changed"]
    assert done.already_rolled_back_at is None
    assert (await _state(graph))["people"] == before["people"]
    again_done = await migration.rollback(graph, report["migration_id"])
    assert again_done.restored == 0
    assert again_done.already_rolled_back_at is not None
    # Once rolled back, the same file may be applied again.
    again = await migration.migrate(graph, RAW, dry_run=False)
    assert again["status"] == "applied"


async def test_a_file_that_is_not_a_list_is_refused(graph: Graph) -> None:
    with pytest.raises(migration.LegacyFileError):
        await migration.migrate(graph, b'{"person_id": "x"}', dry_run=True)
    with pytest.raises(migration.LegacyFileError):
        await migration.migrate(graph, b"\xff\xfe not json", dry_run=True)
