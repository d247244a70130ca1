"""An operator's first-load CSV files, read into the typed rows of graph/bulk.py (`rolodex load`).

A folder holds one file per kind, each optional, loaded parents first in the order of `FILES`.
The header names the row keys of that kind (graph/bulk.py, the property names of
docs/graph-model.md plus the ids of what the item hangs off); every other column is refused.
Values are RFC 4180 CSV text: an empty field is no value; `roles`, `skills`, `interests`,
`languages` and `goals` are lists separated by `;`; `capacity`, `position` and the sentiments are
integers, `baseline`, `target` and `value` decimals, `discoverable` `true`/`false`; timestamps
(`…_at`, a membership's `since`) ISO 8601 with a zone offset, calendar dates (`since` of a contact,
`due_date`, `starts_on`, `ends_on`) `YYYY-MM-DD`. A bad value is a `LoadFileError` naming the
file, line and column, raised before anything is written.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from graph import bulk
from graph.admin_import import column_type
from graph.bulk import Kind

FILES: tuple[tuple[str, Kind], ...] = (
    ("programs.csv", bulk.PROGRAMS),
    ("cohorts.csv", bulk.COHORTS),
    ("outcomes.csv", bulk.OUTCOMES),
    ("people.csv", bulk.PEOPLE),
    ("memberships.csv", bulk.MEMBERSHIPS),
    ("knows.csv", bulk.KNOWS),
    ("contact_cards.csv", bulk.CARDS),
    ("mentorships.csv", bulk.MENTORSHIPS),
    ("sessions.csv", bulk.SESSIONS),
    ("measurements.csv", bulk.MEASUREMENTS),
)
LIST_SEPARATOR = ";"


class LoadFileError(ValueError):
    """A load file the rows cannot come from: unknown column, bad value, missing key."""


def _boolean(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError("use true or false")
    return text == "true"


def _datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a timestamp needs a zone offset, e.g. 2026-05-01T09:30:00+00:00")
    return moment


PARSERS: dict[str, Callable[[str], Any]] = {
    "datetime": _datetime,
    "date": date.fromisoformat,
    "string[]": lambda text: text.split(LIST_SEPARATOR),
    "long": int,
    "double": float,
    "boolean": _boolean,
    "string": str,
}


def read_file(path: Path, kind: Kind) -> list[dict[str, Any]]:
    """The rows of one load file, typed; `LoadFileError` on the first problem."""
    with path.open(encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        columns = reader.fieldnames or []
        unknown = sorted(set(columns) - kind.allowed)
        missing = sorted(kind.required - set(columns))
        if unknown or missing:
            raise LoadFileError(f"{path.name}: unknown columns {unknown}, missing {missing}")
        parsers = {name: PARSERS[column_type(kind, name)] for name in columns}
        rows: list[dict[str, Any]] = []
        for line, record in enumerate(reader, start=2):
            row: dict[str, Any] = {}
            for name, text in record.items():
                if text is None or name is None:
                    raise LoadFileError(f"{path.name} line {line}: wrong number of fields")
                if text == "":
                    if name in kind.required:
                        raise LoadFileError(f"{path.name} line {line}: {name} is required")
                    continue
                try:
                    row[name] = parsers[name](text)
                except ValueError as error:
                    raise LoadFileError(f"{path.name} line {line}, {name}: {error}") from error
            rows.append(row)
    return rows


def read_folder(folder: Path) -> list[tuple[Kind, list[dict[str, Any]]]]:
    """Every load file present in `folder`, parents first; `LoadFileError` if there is none."""
    if not folder.is_dir():
        raise LoadFileError(f"{folder} is not a folder")
    parts = [
        (kind, read_file(folder / name, kind)) for name, kind in FILES if (folder / name).exists()
    ]
    if not parts:
        raise LoadFileError(f"{folder} holds none of {', '.join(name for name, _ in FILES)}")
    return parts
