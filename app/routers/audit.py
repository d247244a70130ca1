"""The audit log for operators: consent grants and revocations, exports and applied imports.

`GET /v1/admin/audit?event=&person_id=&from=&to=` lists `(:AuditEvent)`s oldest first with cursor
pagination; `from` is inclusive, `to` exclusive. Operator admins (`programs: ["*"]`) only: the
log spans every program and person, so a program admin gets 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.deps import GraphDep
from app.errors import ForbiddenError, UnauthorizedError, UnprocessableError, problem_responses
from app.models.common import UtcDatetime
from app.pagination import Page, PageDep, page_of
from auth.security import OperatorPrincipal
from graph import audit

router = APIRouter(prefix="/v1/admin/audit", tags=["audit"])

AuditEventName = Literal["consent.granted", "consent.revoked", "bundle.exported", "bundle.imported"]


class AuditEvent(BaseModel):
    id: str
    event: AuditEventName
    at: datetime
    actor: str | None = Field(description="Token subject of who caused it; null for the service.")
    actor_role: str
    person_id: str | None = Field(description="Whose data; null once the person was erased.")
    audience: str | None = Field(
        description="Consents and exports: the receiving platform or `self`; imports: the "
        "platform the bundle came from."
    )
    consent_id: str | None
    bundle_id: str | None
    outcome: str
    problem_type: str | None


@router.get(
    "",
    name="list",
    summary="Audit events (operator admins)",
    responses=problem_responses(UnauthorizedError, ForbiddenError, UnprocessableError),
)
async def list_events(
    operator: OperatorPrincipal,
    graph: GraphDep,
    page: PageDep,
    event: Annotated[AuditEventName | None, Query(description="Only this kind.")] = None,
    person_id: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,128}$", description="Only about this person.")
    ] = None,
    start: Annotated[
        UtcDatetime | None, Query(alias="from", description="At or after (ISO 8601, with zone).")
    ] = None,
    end: Annotated[
        UtcDatetime | None, Query(alias="to", description="Before (ISO 8601, with zone).")
    ] = None,
) -> Page[AuditEvent]:
    if start is not None and end is not None and end < start:
        raise UnprocessableError("`to` lies before `from`.")
    rows = await audit.list_events(
        graph, page, event=event, person_id=person_id, start=start, end=end
    )
    return page_of(AuditEvent.model_validate, rows)
