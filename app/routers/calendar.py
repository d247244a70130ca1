"""A person's sessions in their own calendar app: a private iCalendar subscription URL.

`POST /v1/people/{id}/calendar-feed` makes (or rotates) the feed and answers its URL once;
`GET` tells whether one is active and since when; `DELETE` revokes it. Calendar apps poll
`GET /v1/calendar-feeds/{token}.ics` without a bearer token: the unguessable token in the URL is
the credential (only its hash is stored), so the feed route takes no other authentication, logs
its route template instead of its path, and answers an unknown or revoked token with a plain 404.
Only the person themselves manages their feed (admins get 403: app/policy.py).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from app.access import ACCESS_PROBLEMS, ReachedPerson
from app.deps import GraphDep, SettingsDep
from app.errors import NotFoundError, problem_responses
from auth.secrets import feed_token_hash, new_feed_token
from graph import calendar_feeds
from personal import calendar

router = APIRouter(tags=["calendar"])
FEED_PATH = "/v1/calendar-feeds/{token}.ics"


class CalendarFeedStatus(BaseModel):
    active: bool
    created_at: datetime | None = Field(description="When the current URL was made.")


class CalendarFeedUrl(BaseModel):
    url: str = Field(
        description="The subscription URL (shown only now: only a hash of its token is kept)."
    )
    created_at: datetime


@router.get(
    "/v1/people/{person_id}/calendar-feed",
    name="status",
    summary="Whether the person's calendar subscription is active",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def feed_status(person: ReachedPerson, graph: GraphDep) -> CalendarFeedStatus:
    created_at = await calendar_feeds.feed_created_at(graph, person.id)
    return CalendarFeedStatus(active=created_at is not None, created_at=created_at)


@router.post(
    "/v1/people/{person_id}/calendar-feed",
    name="rotate",
    status_code=status.HTTP_201_CREATED,
    summary="Make or rotate the calendar subscription URL",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def rotate_feed(
    person: ReachedPerson, graph: GraphDep, settings: SettingsDep
) -> CalendarFeedUrl:
    """A new private URL for calendar apps to subscribe to; the previous one stops working."""
    token = new_feed_token()
    created_at = await calendar_feeds.replace_feed(graph, person.id, feed_token_hash(token))
    url = settings.public_url.rstrip("/") + FEED_PATH.format(token=token)
    return CalendarFeedUrl(url=url, created_at=created_at)


@router.delete(
    "/v1/people/{person_id}/calendar-feed",
    name="revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke the calendar subscription URL",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def revoke_feed(person: ReachedPerson, graph: GraphDep) -> Response:
    if not await calendar_feeds.delete_feed(graph, person.id):
        raise NotFoundError("You have no calendar subscription.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    FEED_PATH,
    name="feed",
    summary="The person's sessions as iCalendar (the URL's token is the credential)",
    response_class=Response,
    responses={
        200: {"content": {calendar.MEDIA_TYPE: {"schema": {"type": "string"}}}},
        **problem_responses(NotFoundError),
    },
)
async def feed(token: str, graph: GraphDep, settings: SettingsDep) -> Response:
    """Every upcoming session and those of the last year (RFC 5545). No bearer token: calendar
    apps cannot send one."""
    found = (
        await calendar_feeds.feed_for_token(graph, feed_token_hash(token))
        if len(token) <= 128
        else None
    )
    if found is None:
        raise NotFoundError("No such calendar feed (it may have been rotated or revoked).")
    return Response(
        content=calendar.render(found, public_url=settings.public_url),
        media_type=f"{calendar.MEDIA_TYPE}; charset=utf-8",
        headers={
            "Cache-Control": "private, max-age=300",
            "Referrer-Policy": "no-referrer",
            "Content-Disposition": 'inline; filename="rolodex-sessions.ics"',
        },
    )
