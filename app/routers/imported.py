"""A person's records imported from other platforms, shown with their provenance.

Mentorships, sessions and outcome measurements that arrived in bundles are kept apart from this
instance's program data (they count in no metric) and listed here with where they came from
(`origin`: the original issuer and id), which bundle brought them and when.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.access import ACCESS_PROBLEMS, ReachedPerson
from app.deps import GraphDep
from app.errors import problem_responses
from app.pagination import Page, PageDep, page_of
from graph import imports
from graph.values import Row
from portability.vocabulary import RecordSection

router = APIRouter(prefix="/v1", tags=["imported"])


class Origin(BaseModel):
    iss: str = Field(description="The platform the item first came from.")
    id: str = Field(description="Its id there.")


class ImportedRecord(BaseModel):
    id: str = Field(description="The record's id here (as it appears in this person's bundles).")
    kind: RecordSection
    item: dict[str, Any] = Field(description="The item as the bundle carried it.")
    origin: Origin
    source_issuer: str = Field(description="The platform whose bundle brought it here.")
    source_bundle: str = Field(description="That bundle's id (`jti`).")
    imported_at: datetime


def _record(row: Row) -> ImportedRecord:
    return ImportedRecord(
        id=row["id"],
        kind=row["kind"],
        item=json.loads(row["data"]),
        origin=Origin(iss=row["origin_iss"], id=row["origin_id"]),
        source_issuer=row["source_issuer"],
        source_bundle=row["source_bundle"],
        imported_at=row["imported_at"],
    )


@router.get(
    "/people/{person_id}/imported-records",
    name="list",
    summary="A person's mentorships, sessions and measurements imported from other platforms",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def list_imported(
    person: ReachedPerson,
    graph: GraphDep,
    page: PageDep,
    kind: Annotated[RecordSection | None, Query(description="Only this section.")] = None,
) -> Page[ImportedRecord]:
    """Oldest import first; each with its provenance. They are never program data here."""
    rows = await imports.list_imported_records(graph, person.id, page, kind=kind)
    return page_of(_record, rows)
