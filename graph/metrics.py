"""The aggregate queries behind the weekly program metrics and the fast-fail signals.

Each weekly query unwinds the weeks of the range (UTC intervals `[start, end)` computed by the
caller in the asked time zone) and, per week, runs one range seek on an indexed timestamp —
`Session.scheduled_at`, `Session.requested_at`, `Mentorship.proposed_at|started_at|ended_at`,
`Export.at`, `Import.at`, `ImportRefusals.slot` — aggregating what it finds into one row per
week. Lists (response times, sentiment deltas, gaps between sessions, days to abandonment) come
back per week for the percentiles and medians computed in `app/analytics`; durations come back
as whole nanoseconds, so the figures are computed exactly. All of it runs in one read transaction, so
the figures of a response come from one snapshot.

The definitions these queries implement are in docs/metrics.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.import_refusals import REFUSALS_PER_WEEK
from graph.scope import Scope, mentorship_in_scope, person_in_scope, scope_params
from graph.values import Row, fetch_all, fetch_one

LIVE_FOR_SIGNALS = ("active", "paused")

_IN_SCOPE = mentorship_in_scope("x")


def _nanos(earlier: LiteralString, later: LiteralString) -> LiteralString:
    """Cypher for the exact number of nanoseconds from `earlier` to `later` (two datetimes): an
    integer, so durations reach `app/analytics` without binary rounding."""
    return (
        f"(({later}).epochSeconds - ({earlier}).epochSeconds) * 1000000000"
        f" + (({later}).nanosecond - ({earlier}).nanosecond)"
    )


SESSIONS: LiteralString = f"""
UNWIND $weeks AS w
CALL (w) {{
  MATCH (x:Mentorship)-[:HAS_SESSION]->(s:Session)
  WHERE s.scheduled_at >= w.start AND s.scheduled_at < w.end AND {_IN_SCOPE}
  RETURN count(CASE WHEN s.status = 'completed' THEN 1 END) AS completed,
         count(CASE WHEN s.status = 'no_show' THEN 1 END) AS no_shows,
         count(CASE WHEN s.status = 'cancelled'
                     AND s.cancelled_at > s.scheduled_at - duration({{hours: 24}}) THEN 1 END)
           AS late_cancellations,
         collect(CASE WHEN s.status = 'completed'
                      THEN s.sentiment_post - s.sentiment_pre END) AS sentiment_deltas
}}
RETURN w.key AS week, completed, no_shows, late_cancellations, sentiment_deltas
"""

# Gaps between consecutive completed sessions: each mentorship with a completed session in the
# range is walked once (its completed sessions in time order, from its own relationships — never
# through the `scheduled_at` index, which would visit every session ever), and each gap is put in
# the week of the later session. That week is found arithmetically: weeks are contiguous and last
# 7 days give or take a clock change, so the index guessed from the start of the range is right
# or one off, which the CASE corrects. Properties are projected into variables before a subquery
# reads them: Neo4j 5.26 may otherwise read a property "cached" inside a branch that never ran.
GAPS: LiteralString = f"""
MATCH (x:Mentorship)-[:HAS_SESSION]->(s:Session)
WHERE s.scheduled_at >= $start AND s.scheduled_at < $end AND s.status = 'completed'
  AND {_IN_SCOPE}
WITH DISTINCT x
MATCH (x)-[:HAS_SESSION]->(p:Session)
WITH x, p.status AS status, p.scheduled_at AS held_at
WHERE status = 'completed' AND held_at < $end
WITH x, held_at ORDER BY held_at
WITH x, collect(held_at) AS times
UNWIND range(1, size(times) - 1) AS i
WITH times[i] AS held_at, times[i - 1] AS previous
WHERE held_at >= $start
WITH held_at, previous,
     toInteger(floor((held_at.epochMillis - $start.epochMillis) / 604800000.0)) AS guess
WITH held_at, previous,
     CASE WHEN guess > 0 AND held_at < $weeks[guess].start THEN guess - 1
          WHEN guess < size($weeks) - 1 AND held_at >= $weeks[guess].end THEN guess + 1
          ELSE guess END AS i
RETURN $weeks[i].key AS week,
       collect({_nanos("previous", "held_at")}) AS ns_between_sessions
"""

RESPONSES: LiteralString = f"""
UNWIND $weeks AS w
CALL (w) {{
  MATCH (x:Mentorship)-[:HAS_SESSION]->(s:Session)
  WHERE s.requested_at >= w.start AND s.requested_at < w.end AND s.responded_at IS NOT NULL
    AND {_IN_SCOPE}
  RETURN collect({_nanos("s.requested_at", "s.responded_at")}) AS response_ns
}}
RETURN w.key AS week, response_ns
"""

STARTED: LiteralString = f"""
UNWIND $weeks AS w
CALL (w) {{
  MATCH (x:Mentorship)
  WHERE x.started_at >= w.start AND x.started_at < w.end AND {_IN_SCOPE}
  WITH x, x.status AS status, x.started_at AS started_at, x.ended_at AS ended_at
  WITH status, started_at, ended_at,
       COUNT {{ (x)-[:HAS_SESSION]->(s:Session)
               WHERE s.status = 'completed' AND (ended_at IS NULL OR s.scheduled_at <= ended_at)
       }} AS held
  RETURN count(*) AS started,
         collect(CASE WHEN status = 'abandoned' AND held < 3
                      THEN {_nanos("started_at", "ended_at")} END) AS ns_to_abandon,
         count(CASE WHEN held >= 3 THEN 1 END) AS retained,
         count(CASE WHEN held < 3 AND ended_at IS NOT NULL THEN 1 END) AS ended_before_3
}}
RETURN w.key AS week, started, ns_to_abandon, retained, ended_before_3
"""

ENDED: LiteralString = f"""
UNWIND $weeks AS w
CALL (w) {{
  MATCH (x:Mentorship)
  WHERE x.ended_at >= w.start AND x.ended_at < w.end AND x.started_at IS NOT NULL
    AND {_IN_SCOPE}
  RETURN count(x) AS ended
}}
RETURN w.key AS week, ended
"""

BEFORE_RANGE: LiteralString = f"""
CALL () {{
  MATCH (x:Mentorship) WHERE x.started_at < $start AND {_IN_SCOPE}
  RETURN count(x) AS started_before
}}
CALL () {{
  MATCH (x:Mentorship)
  WHERE x.ended_at < $start AND x.started_at IS NOT NULL AND {_IN_SCOPE}
  RETURN count(x) AS ended_before
}}
RETURN started_before, ended_before
"""

PROPOSED: LiteralString = f"""
UNWIND $weeks AS w
CALL (w) {{
  MATCH (x:Mentorship)
  WHERE x.proposed_at >= w.start AND x.proposed_at < w.end AND {_IN_SCOPE}
  WITH x.started_at IS NOT NULL AS accepted, x.status AS status
  RETURN count(CASE WHEN accepted THEN 1 END) AS accepted,
         count(CASE WHEN NOT accepted AND status = 'declined' THEN 1 END) AS declined
}}
RETURN w.key AS week, accepted, declined
"""

PORTABILITY: LiteralString = f"""
UNWIND $weeks AS w
CALL (w) {{
  MATCH (e:Export)-[:OF]->(p:Person|ErasedPerson)
  WHERE e.at >= w.start AND e.at < w.end AND {person_in_scope("p")}
  RETURN count(e) AS exported,
         collect(DISTINCT CASE WHEN e.audience <> 'self' THEN e.audience END) AS export_platforms
}}
CALL (w) {{
  MATCH (i:Import)
  WHERE i.at >= w.start AND i.at < w.end
    AND ($everything OR EXISTS {{
      MATCH (i)-[:FOR]->(p:Person|ErasedPerson) WHERE {person_in_scope("p")} }})
  RETURN count(CASE WHEN i.status = 'applied' THEN 1 END) AS imports_applied,
         collect(DISTINCT CASE WHEN i.status = 'applied' THEN i.platform_id END)
           AS import_platforms
}}
RETURN w.key AS week, exported, export_platforms, imports_applied, import_platforms
"""

WEEKLY_QUERIES: tuple[LiteralString, ...] = (
    SESSIONS,
    GAPS,
    RESPONSES,
    STARTED,
    ENDED,
    PROPOSED,
    PORTABILITY,
    REFUSALS_PER_WEEK,
)


async def weekly_aggregates(
    graph: Graph, weeks: list[dict[str, Any]], scope: Scope
) -> tuple[dict[str, Row], Row]:
    """Per week key, every aggregate the weekly metrics need; and the counts before the range
    (`started_before`, `ended_before`: mentorships started / ended before the first week)."""

    async def work(tx: AsyncManagedTransaction) -> tuple[dict[str, Row], Row]:
        params = {
            "weeks": weeks,
            "start": weeks[0]["start"],
            "end": weeks[-1]["end"],
            **await scope_params(tx, scope),
        }
        by_week: dict[str, Row] = {week["key"]: {} for week in weeks}
        for row in by_week.values():
            row["ns_between_sessions"] = []  # weeks without gaps are absent from GAPS
        for cypher in WEEKLY_QUERIES:
            for row in await fetch_all(tx, cypher, **params):
                by_week[row.pop("week")].update(row)
        before = await fetch_one(tx, BEFORE_RANGE, **params)
        assert before is not None
        return by_week, before

    return await graph.read(work)


# Only mentorships that may show a signal come back (a necessary condition of each rule in
# `app/analytics/signals.py`, which decides): a few rows instead of every live mentorship.
FAST_FAIL: LiteralString = f"""
MATCH (x:Mentorship) WHERE x.status IN $live AND {_IN_SCOPE}
WITH x, [(x)-[:HAS_SESSION]->(s:Session) | s {{.id, .status, .scheduled_at, .requested_at,
                                              .responded_at, .sentiment_pre, .sentiment_post}}]
          AS sessions
WITH x, size([s IN sessions WHERE s.status = 'completed']) AS completed,
     COLLECT {{
       UNWIND sessions AS s
       WITH s WHERE s.status IN ['completed', 'no_show']
       WITH s ORDER BY s.scheduled_at DESC, s.id DESC LIMIT 2
       RETURN {{status: s.status, scheduled_at: s.scheduled_at}}
     }} AS last_two,
     COLLECT {{
       UNWIND sessions AS s
       WITH s WHERE s.status = 'completed'
                AND s.sentiment_pre IS NOT NULL AND s.sentiment_post IS NOT NULL
       WITH s ORDER BY s.scheduled_at DESC, s.id DESC LIMIT 1
       RETURN {{pre: s.sentiment_pre, post: s.sentiment_post, scheduled_at: s.scheduled_at}}
     }} AS latest_sentiment,
     size([s IN sessions WHERE s.responded_at > s.requested_at + $target]) AS answered_late,
     size([s IN sessions WHERE s.responded_at IS NULL AND s.status = 'scheduled'
                               AND s.requested_at + $target < $now]) AS unanswered
WHERE completed = 0
   OR (size(last_two) = 2 AND all(s IN last_two WHERE s.status = 'no_show'))
   OR any(s IN latest_sentiment WHERE s.post - s.pre <= $sentiment_drop)
   OR answered_late + unanswered >= $breaches
MATCH (mentor)-[:MENTOR_IN]->(x)<-[:MENTEE_IN]-(mentee),
      (x)-[:IN_COHORT]->(c:Cohort)<-[:HAS_COHORT]-(g:Program)
RETURN x.id AS mentorship_id, x.status AS status, x.started_at AS started_at,
       mentor.id AS mentor_id, mentee.id AS mentee_id, c.id AS cohort_id, g.id AS program_id,
       completed, last_two, latest_sentiment, answered_late, unanswered
ORDER BY started_at, mentorship_id
"""


async def fast_fail_rows(
    graph: Graph,
    scope: Scope,
    *,
    now: datetime,
    target_hours: float,
    sentiment_drop: float,
    breaches: int,
) -> list[Row]:
    """The active or paused mentorships in scope that may show a fast-fail signal, with what the
    rules of `app/analytics/signals.py` read: its completed-session count, its last two held-or-missed
    sessions (latest first), its latest sentiment pair, and how many of its requests were answered
    later than `target_hours` or are still open (session still scheduled) past it at `now`. The
    sessions are walked in memory per mentorship, so each costs one expansion. `sentiment_drop`
    and `breaches` are the rules' thresholds (`signals.PREFILTER`)."""

    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        return await fetch_all(
            tx,
            FAST_FAIL,
            live=list(LIVE_FOR_SIGNALS),
            now=now,
            target=timedelta(hours=target_hours),
            sentiment_drop=sentiment_drop,
            breaches=breaches,
            **await scope_params(tx, scope),
        )

    return await graph.read(work)
