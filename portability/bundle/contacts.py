"""The one mapping between a rolodex contact as the graph stores it and as a bundle carries it.

Graph (graph/contacts.py, graph/bundle_source.py): `name`, `email`, `organisation`, `title`,
`relation`, `context`, `since`, `created_at`. Bundle (jCard member names, RFC 7095): `fn` + `n`,
`email`, `org`, `title`, `categories` (the relation), `note` (the context), `since`, `rev`.
The exporter maps rows to items with `to_item`, the importer items to rows with `from_item`, and
the v1 → v2 upgrade goes through both, so each field is named in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from graph.imports import ContactFields

# (graph field, bundle member) for the fields that map one to one
SAME_VALUE: Final = (
    ("name", "fn"),
    ("email", "email"),
    ("organisation", "org"),
    ("title", "title"),
    ("context", "note"),
    ("since", "since"),
)


def structured_name(full: str) -> dict[str, str]:
    """jCard `n` from a recorded full name: the last word as family name, the rest as given."""
    parts = full.split()
    if len(parts) < 2:
        return {"family": "", "given": full.strip()}
    return {"family": parts[-1], "given": " ".join(parts[:-1])}


def to_item(row: Mapping[str, Any]) -> dict[str, Any]:
    """A bundle contact item (before validation) from a graph row."""
    name = row.get("name") or ""
    item: dict[str, Any] = {member: row.get(field) for field, member in SAME_VALUE}
    item.update(
        id=row["id"],
        kind=row.get("kind", "card"),
        fn=name,
        n=structured_name(name) if name else None,
        categories=[row["relation"]] if row.get("relation") else [],
        rev=row.get("created_at"),
        origin={"iss": row["origin_iss"], "id": row["origin_id"]}
        if row.get("origin_iss")
        else None,
    )
    return item


def from_item(item: Mapping[str, Any]) -> ContactFields:
    """The graph fields of a (validated, JSON) bundle contact item."""
    values = {field: item.get(member) for field, member in SAME_VALUE}
    since = values["since"]
    values["since"] = date.fromisoformat(since) if isinstance(since, str) else since
    values["relation"] = (item.get("categories") or [None])[0]
    return ContactFields(**values)
