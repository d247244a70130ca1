"""Operators (admins of every program) watch the webhook outbox: every queued, delivered and failed notification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.deps import GraphDep
from app.pagination import Page, PageDep, page_of
from auth.security import OperatorPrincipal
from graph import outbox

router = APIRouter(prefix="/v1/admin/webhook-deliveries", tags=["webhooks"])


class WebhookDelivery(BaseModel):
    id: str
    event: str
    consent_id: str
    platform_id: str
    url: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None


@router.get("", name="list", summary="Webhook deliveries and their state")
async def list_deliveries(
    operator: OperatorPrincipal,
    graph: GraphDep,
    page: PageDep,
    status: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
) -> Page[WebhookDelivery]:
    return page_of(
        WebhookDelivery.model_validate, await outbox.list_deliveries(graph, page, status)
    )
