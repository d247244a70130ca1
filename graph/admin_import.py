"""The bulk path's rows as `neo4j-admin database import full` CSV files: the same graph, faster.

A first load into an empty local database (`rolodex seed`, `rolodex load`) can skip Cypher
entirely: the rows of graph/bulk.py are written as one node file per label and one relationship
file per type, and Neo4j's offline importer builds the store from them. `SHAPES` says, for each
kind of row, which node it creates and which relationships, exactly as the kind's Cypher in
graph/bulk.py does, with the same MERGE semantics:

- a node is created once per id; the first row with that id sets its properties (`ON CREATE SET`);
- a relationship without an id is created once per (type, start, end), the first row setting its
  properties; a `KNOWS` once per (start, end, id);
- a row whose parents (the nodes its statement MATCHes) are not loaded creates nothing;
- a property whose value is None is not written.

Every value keeps its type: temporals as Neo4j `DATETIME`/`DATE` (typed CSV columns), lists as
`string[]`, numbers as `long`/`double`, flags as `boolean`. Rows the CSV format cannot carry the
same way (a value of another type than its column, an empty list, a list item holding the array
delimiter) raise `UnsupportedRowsError`, and the caller falls back to the driver path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from graph.bulk import KINDS, Kind
from graph.db import Graph

ARRAY_DELIMITER = "\x1f"
"""Between the items of a list value: the ASCII unit separator, which no text of ours holds."""
ARRAY_DELIMITER_OPTION = "U+001F"

LISTS = frozenset({"roles", "skills", "interests", "languages", "goals"})
INTEGERS = frozenset({"capacity", "position", "sentiment_pre", "sentiment_post"})
FLOATS = frozenset({"baseline", "target", "value"})
BOOLEANS = frozenset({"discoverable"})


class UnsupportedRowsError(ValueError):
    """The rows hold something the import files cannot reproduce exactly; use the driver path."""


def column_type(kind: Kind, key: str) -> str:
    """The import tool's type of property `key` of `kind`'s rows."""
    if key in kind.datetimes:
        return "datetime"
    if key in kind.dates:
        return "date"
    if key in LISTS:
        return "string[]"
    if key in INTEGERS:
        return "long"
    if key in FLOATS:
        return "double"
    if key in BOOLEANS:
        return "boolean"
    return "string"


@dataclass(frozen=True)
class Ref:
    """A node a row points at: its label and the row key holding its id (None: the row's own)."""

    label: str
    key: str | None = None


@dataclass(frozen=True)
class Edge:
    """A relationship a row creates; `props` maps property names to the row keys they come from."""

    type: str
    start: Ref
    end: Ref
    props: tuple[tuple[str, str], ...] = ()
    keyed: bool = False
    """Merged on its own `id` (KNOWS) rather than on (type, start, end)."""


@dataclass(frozen=True)
class Shape:
    """What one row of a kind creates: its own node (if any), the parents it needs, its edges."""

    node: str | None
    parents: tuple[Ref, ...] = ()
    edges: tuple[Edge, ...] = ()


def _own(kind_name: str, *skip: str) -> tuple[tuple[str, str], ...]:
    names = sorted(KINDS[kind_name].allowed - set(skip))
    return tuple((name, name) for name in names)


SELF_PERSON = Ref("Person")
PROGRAM, COHORT = Ref("Program", "program_id"), Ref("Cohort", "cohort_id")
SHAPES: dict[str, Shape] = {
    "program": Shape("Program"),
    "cohort": Shape("Cohort", (PROGRAM,), (Edge("HAS_COHORT", PROGRAM, Ref("Cohort")),)),
    "outcome": Shape("Outcome", (COHORT,), (Edge("HAS_OUTCOME", COHORT, Ref("Outcome")),)),
    "person": Shape("Person"),
    "membership": Shape(
        None,
        (Ref("Person", "person_id"), COHORT),
        (Edge("MEMBER_OF", Ref("Person", "person_id"), COHORT, (("since", "since"),)),),
    ),
    "knows": Shape(
        None,
        (Ref("Person", "from_id"), Ref("Person", "to_id")),
        (
            Edge(
                "KNOWS",
                Ref("Person", "from_id"),
                Ref("Person", "to_id"),
                _own("knows", "from_id", "to_id"),
                keyed=True,
            ),
        ),
    ),
    "contact card": Shape(
        "Contact",
        (Ref("Person", "owner_id"),),
        (Edge("HAS_CONTACT", Ref("Person", "owner_id"), Ref("Contact")),),
    ),
    "mentorship": Shape(
        "Mentorship",
        (Ref("Person", "mentor_id"), Ref("Person", "mentee_id"), COHORT),
        (
            Edge("MENTOR_IN", Ref("Person", "mentor_id"), Ref("Mentorship")),
            Edge("MENTEE_IN", Ref("Person", "mentee_id"), Ref("Mentorship")),
            Edge("IN_COHORT", Ref("Mentorship"), COHORT),
            Edge("MEMBER_OF", Ref("Person", "mentor_id"), COHORT, (("since", "proposed_at"),)),
            Edge("MEMBER_OF", Ref("Person", "mentee_id"), COHORT, (("since", "proposed_at"),)),
        ),
    ),
    "session": Shape(
        "Session",
        (Ref("Mentorship", "mentorship_id"),),
        (Edge("HAS_SESSION", Ref("Mentorship", "mentorship_id"), Ref("Session")),),
    ),
    "measurement": Shape(
        "Measurement",
        (Ref("Outcome", "outcome_id"), Ref("Person", "person_id")),
        (
            Edge("HAS_MEASUREMENT", Ref("Outcome", "outcome_id"), Ref("Measurement")),
            Edge("OF_PERSON", Ref("Measurement"), Ref("Person", "person_id")),
        ),
    ),
}


def _is_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(item, str) and ARRAY_DELIMITER not in item for item in value)
    )


CHECKS: dict[str, Callable[[Any], bool]] = {
    "datetime": lambda v: isinstance(v, datetime) and v.tzinfo is not None,
    "date": lambda v: isinstance(v, date) and not isinstance(v, datetime),
    "string[]": _is_list,
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "double": lambda v: isinstance(v, float),
    "boolean": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
}


@dataclass(frozen=True)
class ImportFiles:
    """Files written for the import tool, and how many nodes and relationships they hold."""

    nodes: tuple[tuple[str, Path], ...]
    relationships: tuple[tuple[str, Path], ...]
    multiline: tuple[Path, ...]
    node_count: int
    relationship_count: int


Formatter = Callable[[Any], str]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _formatter(kind: Kind, key: str) -> Formatter:
    """Turns a row's value into its CSV field, refusing (UnsupportedRowsError) a value the column's
    type would change: what the driver stores is what the importer must store."""
    wanted = column_type(kind, key)
    check = CHECKS[wanted]

    def text(value: Any) -> str:
        if value is None:
            return ""
        if not check(value):
            raise UnsupportedRowsError(
                f"{kind.name} {key}: {value!r} is not stored as {wanted} by the importer"
            )
        if wanted == "string":
            return _quoted(value)
        if wanted == "string[]":
            return _quoted(ARRAY_DELIMITER.join(value))
        if wanted in ("datetime", "date"):
            return _quoted(value.isoformat())
        if wanted == "boolean":
            return "true" if value else "false"
        return repr(value)

    if wanted == "string":  # the common case, kept short

        def string(value: Any) -> str:
            if value is None:
                return ""
            if type(value) is not str:
                raise UnsupportedRowsError(
                    f"{kind.name} {key}: {value!r} is not stored as string by the importer"
                )
            return '"' + value.replace('"', '""') + '"'

        return string
    return text


@dataclass
class _File:
    """One import file being built: its header, how each row becomes a line, the lines so far."""

    path: Path
    header: str
    lines: list[str] = field(default_factory=list)


def _file_name(name: str) -> str:
    return name.replace(":", "-") + ".csv"


def write(parts: Iterable[tuple[Kind, Sequence[Mapping[str, Any]]]], folder: Path) -> ImportFiles:
    """Write the import files for `parts` into `folder` (one per label and relationship type),
    keeping the MERGE semantics of graph/bulk.py; raise `UnsupportedRowsError` if they cannot be
    the same graph."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, _File] = {}
    seen_nodes: dict[str, set[str]] = {}
    seen_edges: set[tuple[str, ...]] = set()
    for kind, rows in parts:
        shape = SHAPES[kind.name]
        kind.check(rows)
        parent_keys = {ref.key for ref in shape.parents}
        own = sorted(kind.allowed - parent_keys - {"id"})
        node_format = [(key, _formatter(kind, key)) for key in own]
        if shape.node is not None:
            node_name = f"node:{shape.node}"
            header = ",".join(
                [f"id:ID({shape.node})"] + [f"{k}:{column_type(kind, k)}" for k in own]
            )
            node_file = files.setdefault(node_name, _File(folder / _file_name(node_name), header))
            if node_file.header != header:
                raise UnsupportedRowsError(f"{shape.node} rows of two shapes")
            ids = seen_nodes.setdefault(shape.node, set())
        edge_plans = []
        for edge in shape.edges:
            name = f"rel:{edge.type}:{edge.start.label}:{edge.end.label}"
            header = ",".join(
                [f":START_ID({edge.start.label})", f":END_ID({edge.end.label})"]
                + [f"{prop}:{column_type(kind, source)}" for prop, source in edge.props]
            )
            edge_file = files.setdefault(name, _File(folder / _file_name(name), header))
            if edge_file.header != header:
                raise UnsupportedRowsError(f"{edge.type} rows of two shapes")
            formats = [(source, _formatter(kind, source)) for _, source in edge.props]
            edge_plans.append((edge, edge_file, formats))
        parents = [(ref.label, ref.key) for ref in shape.parents if ref.key]
        id_format = _formatter(kind, "id") if "id" in kind.allowed else None
        for row in rows:
            if any(row[key] not in seen_nodes.get(label, ()) for label, key in parents):
                continue  # the statement's MATCH finds no parent: nothing is created
            if shape.node is not None and id_format is not None and row["id"] not in ids:
                ids.add(row["id"])
                fields = [id_format(row["id"])]
                fields += [text(row.get(key)) for key, text in node_format]
                node_file.lines.append(",".join(fields))
            for edge, edge_file, formats in edge_plans:
                start = row[edge.start.key] if edge.start.key else row["id"]
                end = row[edge.end.key] if edge.end.key else row["id"]
                edge_key = (edge.type, start, end) + ((row["id"],) if edge.keyed else ())
                if edge_key in seen_edges:
                    continue
                seen_edges.add(edge_key)
                fields = [_quoted(start), _quoted(end)]
                fields += [text(row.get(source)) for source, text in formats]
                edge_file.lines.append(",".join(fields))
    nodes: list[tuple[str, Path]] = []
    relationships: list[tuple[str, Path]] = []
    multiline: list[Path] = []
    counts = {"node": 0, "rel": 0}
    for name, built in files.items():
        part, label = name.split(":")[:2]
        (nodes if part == "node" else relationships).append((label, built.path))
        counts[part] += len(built.lines)
        if any("\n" in line or "\r" in line for line in built.lines):
            multiline.append(built.path)
        body = "\n".join(built.lines)
        built.path.write_text(built.header + "\n" + body + ("\n" if body else ""), "utf-8")
    return ImportFiles(
        tuple(nodes), tuple(relationships), tuple(multiline), counts["node"], counts["rel"]
    )


async def is_empty(graph: Graph) -> bool:
    """Whether the database holds nothing but migration records (an offline import may replace it)."""
    rows = await graph.query("RETURN NOT EXISTS { MATCH (n) WHERE NOT n:SchemaMigration } AS empty")
    return bool(rows[0]["empty"])
