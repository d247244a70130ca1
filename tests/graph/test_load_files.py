"""Load files (`rolodex load`) are read into typed bulk rows, or refused before anything is written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from graph import bulk
from graph.load_files import LoadFileError, read_folder


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text.strip() + "\n", encoding="utf-8")


def test_values_are_typed_and_empty_fields_are_no_value(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "people.csv",
        """
id,display_name,roles,skills,capacity,discoverable,created_at,updated_at,headline
per_ana,Ana Silva,mentor;mentee,python;sql,3,true,2026-05-01T09:30:00+00:00,2026-05-01T09:30:00+00:00,
""",
    )
    _write(
        tmp_path,
        "knows.csv",
        """
id,from_id,to_id,source,created_at,since,context
ctc_1,per_ana,per_bo,manual,2026-05-02T10:00:00+02:00,2019-03-01,"Met at ""PyCon"", Lisbon"
""",
    )
    parts = read_folder(tmp_path)
    assert [kind for kind, _ in parts] == [bulk.PEOPLE, bulk.KNOWS]
    person = parts[0][1][0]
    assert person["roles"] == ["mentor", "mentee"]
    assert person["capacity"] == 3
    assert person["discoverable"] is True
    assert person["created_at"] == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    assert "headline" not in person
    contact = parts[1][1][0]
    assert contact["since"] == date(2019, 3, 1)
    assert contact["context"] == 'Met at "PyCon", Lisbon'


@pytest.mark.parametrize(
    ("header", "line", "message"),
    [
        ("id,name,created_at,colour", "prg_1,P,2026-05-01T09:30:00+00:00,red", "unknown columns"),
        ("id,created_at", "prg_1,2026-05-01T09:30:00+00:00", "missing ['name']"),
        ("id,name,created_at", "prg_1,P,2026-05-01T09:30:00", "zone offset"),
        ("id,name,created_at", "prg_1,,2026-05-01T09:30:00+00:00", "name is required"),
        ("id,name,created_at", "prg_1,P", "wrong number of fields"),
    ],
)
def test_a_bad_file_is_refused_with_its_line(
    tmp_path: Path, header: str, line: str, message: str
) -> None:
    _write(tmp_path, "programs.csv", f"{header}\n{line}")
    with pytest.raises(LoadFileError, match=r"programs\.csv") as refused:
        read_folder(tmp_path)
    assert message in str(refused.value)


def test_a_folder_without_load_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadFileError, match="holds none of"):
        read_folder(tmp_path)
