"""Builds a person's neighbourhood straight in Neo4j, in the shape graph/ writes it, for export tests."""

from __future__ import annotations

from typing import Any

from graph.db import Graph

SUBJECT = "per_subject"
MENTOR = "per_mentor"
FRIEND = "per_friend"
PRIVATE_MARKERS = ("friend-private@example.org", "FRIEND-PRIVATE-HEADLINE", "friend-secret-skill")


async def build_person_graph(
    graph: Graph, *, contacts: int = 3, sessions: int = 2
) -> dict[str, Any]:
    """A mentee with contacts (one a person in the graph), a mentorship with sessions, an outcome."""
    await graph.query(
        """
        CREATE (s:Person {id: $subject, display_name: 'Sam Subject', headline: 'Learning graphs',
                          skills: ['python'], interests: ['graphs'], languages: ['en'],
                          timezone: 'Europe/Berlin', roles: ['mentee'], capacity: 0,
                          discoverable: true, email: 'sam@example.org', created_at: datetime()})
        CREATE (m:Person {id: $mentor, display_name: 'Mia Mentor', roles: ['mentor'], capacity: 3,
                          email: 'mia@example.org', created_at: datetime()})
        CREATE (f:Person {id: $friend, display_name: 'Fred Friend', headline: $private_headline,
                          skills: [$private_skill], email: $private_email, roles: ['mentee'],
                          created_at: datetime()})
        CREATE (s)-[:KNOWS {id: 'ctc_person', name: 'Fred F.', relation: 'peer', context: 'met at PyCon',
                            source: 'manual', created_at: datetime()}]->(f)
        WITH s, m
        UNWIND range(1, $contacts) AS n
        CREATE (s)-[:HAS_CONTACT]->(:Contact {id: 'ctc_card' + n, name: 'Card Person ' + n,
                email: 'card' + n + '@example.org', organisation: 'Org ' + n, title: 'Engineer',
                relation: 'colleague', context: 'worked together', since: date('2024-01-0' + toString(1 + n % 9)),
                source: 'manual', created_at: datetime() + duration({seconds: n})})
        WITH DISTINCT s, m
        CREATE (g:Program {id: 'prg_main', name: 'Main', created_at: datetime()})
        CREATE (g)-[:HAS_COHORT]->(c:Cohort {id: 'coh_main', name: 'Spring', created_at: datetime()})
        CREATE (c)-[:HAS_OUTCOME]->(o:Outcome {id: 'out_ready', key: 'readiness', name: 'Role readiness',
                metric: 'self-assessment', baseline: 2.0, target: 4.0, unit: 'points'})
        CREATE (o)-[:HAS_MEASUREMENT]->(:Measurement {id: 'msr_1', value: 3.5,
                measured_at: datetime('2026-03-01T10:00:00Z'), recorded_at: datetime()})-[:OF_PERSON]->(s)
        CREATE (x:Mentorship {id: 'mnt_main', status: 'active', goals: ['ship a graph app'],
                proposed_at: datetime('2026-01-05T09:00:00Z'), started_at: datetime('2026-01-06T09:00:00Z')})
        CREATE (m)-[:MENTOR_IN]->(x), (s)-[:MENTEE_IN]->(x), (x)-[:IN_COHORT]->(c)
        CREATE (s)-[:MEMBER_OF]->(c), (m)-[:MEMBER_OF]->(c)
        WITH x
        UNWIND range(1, $sessions) AS n
        CREATE (x)-[:HAS_SESSION]->(:Session {id: 'ses_' + n, status: 'completed',
                scheduled_at: datetime('2026-02-01T10:00:00Z') + duration({days: n}),
                requested_at: datetime('2026-01-30T10:00:00Z'), responded_at: datetime('2026-01-30T12:00:00Z'),
                sentiment_pre: 3, sentiment_post: 4, notes: 'SESSION-NOTE-' + n})
        """,
        {
            "subject": SUBJECT,
            "mentor": MENTOR,
            "friend": FRIEND,
            "contacts": contacts,
            "sessions": sessions,
            "private_email": PRIVATE_MARKERS[0],
            "private_headline": PRIVATE_MARKERS[1],
            "private_skill": PRIVATE_MARKERS[2],
        },
        write=True,
    )
    return {"subject": SUBJECT, "contacts": contacts + 1, "sessions": sessions}
