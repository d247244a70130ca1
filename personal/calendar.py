"""A person's sessions as an iCalendar feed (RFC 5545), written with the `icalendar` package.

One VEVENT per session: a stable UID (the session id at this service's host), DTSTAMP and
LAST-MODIFIED (the session's last change), DTSTART in UTC and a one-hour DTEND (sessions carry
no length), a SUMMARY naming the other side, STATUS (`CANCELLED` for cancelled sessions and no
shows, `CONFIRMED` otherwise) and a DESCRIPTION with the session's state and the mentorship's
goals. The calendar asks clients to poll hourly (REFRESH-INTERVAL, RFC 7986, and the older
X-PUBLISHED-TTL). Nothing in it is secret beyond what the person already sees on their page;
the subscription URL is the secret.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vDuration

from graph.calendar_feeds import Feed, FeedSession

MEDIA_TYPE = "text/calendar"
SESSION_LENGTH = timedelta(hours=1)
REFRESH = timedelta(hours=1)
PRODID = "-//Rolodex//Mentoring sessions//EN"
_STATUS = {"cancelled": "CANCELLED", "no_show": "CANCELLED"}
_STATE = {
    "scheduled": "Scheduled",
    "completed": "Completed",
    "no_show": "Missed (no show)",
    "cancelled": "Cancelled",
}


def _event(session: FeedSession, host: str) -> Event:
    event = Event()
    event.add("uid", f"{session.id}@{host}")
    event.add("dtstamp", session.updated_at)
    event.add("last-modified", session.updated_at)
    event.add("dtstart", session.scheduled_at)
    event.add("dtend", session.scheduled_at + SESSION_LENGTH)
    other = session.other_name or ("your mentee" if session.role == "mentor" else "your mentor")
    event.add("summary", f"Mentoring session with {other}")
    event.add("status", _STATUS.get(session.status, "CONFIRMED"))
    lines = [
        f"{_STATE.get(session.status, session.status)}. You are the {session.role}.",
        *(f"Goal: {goal}" for goal in session.goals),
    ]
    event.add("description", "\n".join(lines))
    event.add("categories", ["Mentoring"])
    return event


def render(feed: Feed, *, public_url: str) -> bytes:
    """The feed as an iCalendar stream (CRLF lines, folded at 75 octets by the library)."""
    host = urlsplit(public_url).hostname or "rolodex"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", f"Rolodex sessions of {feed.display_name}")
    calendar.add("x-wr-calname", f"Rolodex sessions of {feed.display_name}")
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for session in feed.sessions:
        calendar.add_component(_event(session, host))
    body: bytes = calendar.to_ical()
    return body
