"""The offline importer's CSV files keep the bulk path's MERGE semantics and value types.

(That the imported graph equals the driver's is checked end to end in tests/app/test_first_load.py.)
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import bulk
from graph.admin_import import UnsupportedRowsError, write

AT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def person(pid: str, **extra: object) -> dict[str, object]:
    return {
        "id": pid,
        "display_name": pid.title(),
        "roles": ["mentee"],
        "created_at": AT,
        "updated_at": AT,
    } | extra


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def test_first_row_wins_missing_parents_create_nothing_and_none_is_no_value(
    tmp_path: Path,
) -> None:
    people = [person("ana", headline="First"), person("ana", headline="Second"), person("bo")]
    knows = [
        {"id": "k1", "from_id": "ana", "to_id": "bo", "source": "manual", "created_at": AT},
        {"id": "k1", "from_id": "ana", "to_id": "bo", "source": "vcard", "created_at": AT},
        {"id": "k2", "from_id": "ana", "to_id": "nobody", "source": "manual", "created_at": AT},
    ]
    files = write([(bulk.PEOPLE, people), (bulk.KNOWS, knows)], tmp_path)
    assert (files.node_count, files.relationship_count) == (2, 1)
    nodes = read(dict(files.nodes)["Person"])
    assert [row["headline:string"] for row in nodes] == ["First", ""]
    assert nodes[0]["created_at:datetime"] == "2026-05-01T09:30:00+00:00"
    (edge,) = read(dict(files.relationships)["KNOWS"])
    assert edge["source:string"] == "manual"


def test_a_membership_a_mentorship_implies_is_not_written_twice(tmp_path: Path) -> None:
    rows = {
        bulk.PROGRAMS: [{"id": "p", "name": "P", "created_at": AT}],
        bulk.COHORTS: [{"id": "c", "program_id": "p", "name": "C", "created_at": AT}],
        bulk.PEOPLE: [person("ana"), person("bo")],
        bulk.MEMBERSHIPS: [{"person_id": "ana", "cohort_id": "c", "since": AT}],
        bulk.MENTORSHIPS: [
            {
                "id": "m",
                "mentor_id": "ana",
                "mentee_id": "bo",
                "cohort_id": "c",
                "status": "active",
                "goals": ["Grow"],
                "proposed_by": "mentee",
                "proposed_at": datetime(2026, 6, 1, tzinfo=UTC),
                "updated_at": AT,
            }
        ],
    }
    files = write(list(rows.items()), tmp_path)
    members = read(dict(files.relationships)["MEMBER_OF"])
    assert {(m[":START_ID(Person)"], m["since:datetime"]) for m in members} == {
        ("ana", "2026-05-01T09:30:00+00:00"),
        ("bo", "2026-06-01T00:00:00+00:00"),
    }


def test_a_note_on_several_lines_marks_its_file_multiline(tmp_path: Path) -> None:
    files = write([(bulk.PEOPLE, [person("ana", headline='Two\nlines, "quoted"')])], tmp_path)
    assert files.multiline == (dict(files.nodes)["Person"],)
    assert read(files.multiline[0])[0]["headline:string"] == 'Two\nlines, "quoted"'


@pytest.mark.parametrize(
    "extra", [{"capacity": 2.0}, {"skills": []}, {"headline": 3}, {"skills": ["a\x1fb"]}]
)
def test_values_the_importer_would_store_differently_are_refused(
    tmp_path: Path, extra: dict[str, object]
) -> None:
    with pytest.raises(UnsupportedRowsError):
        write([(bulk.PEOPLE, [person("ana", **extra)])], tmp_path)
