"""A small but lively graph for the dashboard's end-to-end test, written through the graph layer.

Two programs; the first has two cohorts that differ on purpose (every session in "Spring"
completed, "Autumn" with no-shows, a sentiment drop and a dropout), so switching the cohort filter
changes what the dashboard shows. Every cohort has three outcomes with measurements. People,
contacts, mentorships and sessions are spread over the last six weeks; exports, imports and a
partner platform feed the portability view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graph import contacts, import_refusals, mentorships, people, platforms, programs, sessions
from graph.db import Graph
from graph.ids import new_id
from graph.mentorships import MentorshipStatus, Proposer
from graph.sessions import SessionStatus
from tests.builders import outcomes


@dataclass
class SeededGraph:
    now: datetime
    programs: dict[str, str] = field(default_factory=dict)
    """Program name → id."""
    cohorts: dict[str, str] = field(default_factory=dict)
    """Cohort name → id."""
    people: dict[str, str] = field(default_factory=dict)
    """Short name → person id."""


class _Seeder:
    def __init__(self, graph: Graph, now: datetime) -> None:
        self.graph = graph
        self.now = now
        self.seeded = SeededGraph(now=now)

    def ago(self, days: float, hours: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours)

    async def program(self, name: str) -> str:
        row = await programs.create_program(self.graph, name, f"{name}: a program for the e2e test")
        self.seeded.programs[name] = row["id"]
        return str(row["id"])

    async def cohort(self, program_id: str, name: str) -> str:
        row = await programs.create_cohort(
            self.graph, program_id, {"name": name}, outcomes(3), now=self.ago(60)
        )
        self.seeded.cohorts[name] = row["id"]
        return str(row["id"])

    async def person(
        self,
        short: str,
        display_name: str,
        cohort_id: str,
        *,
        mentor: bool = False,
        discoverable: bool = False,
        days_ago: float = 30,
    ) -> str:
        row = await people.create_person(
            self.graph,
            new_id("per"),
            {
                "display_name": display_name,
                "headline": f"{'Mentor' if mentor else 'Mentee'} in the e2e graph",
                "roles": ["mentor"] if mentor else ["mentee"],
                "skills": ["python", "graphs"] if mentor else [],
                "interests": [] if mentor else ["graphs"],
                "languages": ["en"],
                "capacity": 5 if mentor else 0,
                "discoverable": discoverable,
            },
            cohort_id=cohort_id,
            now=self.ago(days_ago),
        )
        self.seeded.people[short] = row["id"]
        return str(row["id"])

    async def knows(self, owner: str, other: str, relation: str, days_ago: float) -> None:
        await contacts.add_contact(
            self.graph,
            self.seeded.people[owner],
            {"relation": relation},
            person_id=self.seeded.people[other],
            now=self.ago(days_ago),
        )

    async def mentorship(
        self, mentor: str, mentee: str, cohort_id: str, started_days_ago: float
    ) -> str:
        await programs.enrol(self.graph, self.seeded.people[mentee], cohort_id)
        row = await mentorships.propose(
            self.graph,
            mentor_id=self.seeded.people[mentor],
            mentee_id=self.seeded.people[mentee],
            cohort_id=cohort_id,
            goals=["grow"],
            proposed_by=Proposer.MENTEE,
            now=self.ago(started_days_ago + 1),
        )
        await mentorships.transition(
            self.graph, row["id"], MentorshipStatus.ACTIVE, now=self.ago(started_days_ago)
        )
        return str(row["id"])

    async def session(
        self,
        mentorship_id: str,
        days_ago: float,
        status: SessionStatus,
        *,
        response_hours: float = 6,
        sentiment: tuple[int, int] | None = (3, 4),
    ) -> None:
        scheduled_at = self.ago(days_ago)
        requested_at = scheduled_at - timedelta(days=3)
        row = await sessions.create_session(
            self.graph, mentorship_id, scheduled_at, requested_at, now=requested_at
        )
        changes: dict[str, Any] = {
            "status": status.value,
            "responded_at": requested_at + timedelta(hours=response_hours),
        }
        if status is SessionStatus.COMPLETED and sentiment is not None:
            changes["sentiment_pre"], changes["sentiment_post"] = sentiment
        await sessions.update_session(
            self.graph, row["id"], changes, now=scheduled_at + timedelta(hours=1)
        )

    async def measure(self, cohort_id: str, person: str, values: tuple[float, ...]) -> None:
        for index, value in enumerate(values, start=1):
            await programs.record_measurement(
                self.graph, cohort_id, f"o{index}", self.seeded.people[person], value, self.ago(2)
            )


async def seed_dashboard_graph(graph: Graph, now: datetime | None = None) -> SeededGraph:
    s = _Seeder(graph, now or datetime.now(UTC))
    data = await s.program("Data Mentoring")
    design = await s.program("Design Circle")
    spring = await s.cohort(data, "Spring")
    autumn = await s.cohort(data, "Autumn")
    studio = await s.cohort(design, "Studio")

    await s.person("mira", "Mira Mentor", spring, mentor=True, discoverable=True, days_ago=40)
    await s.person("ada", "Ada Mentee", spring, discoverable=True, days_ago=38)
    await s.person("bo", "Bo Mentee", spring, days_ago=30)
    await s.person("cy", "Cy Mentee", spring, discoverable=True, days_ago=23)
    await s.person("omar", "Omar Mentor", autumn, mentor=True, discoverable=True, days_ago=39)
    await s.person("eve", "Eve Mentee", autumn, discoverable=True, days_ago=24)
    await s.person("fin", "Fin Mentee", autumn, days_ago=16)
    await s.person("gus", "Gus Mentee", autumn, days_ago=9)
    await s.person("hal", "Hal Mentor", studio, mentor=True, days_ago=20)
    await s.person("ivy", "Ivy Mentee", studio, days_ago=3)

    # Rolodex contacts: Ada knows Mira, Bo and Eve; beyond her, discoverable Eve knows Omar and
    # Gus, while Bo (not discoverable) knows Fin, whom Ada's 2-hop network must therefore not show.
    for owner, other, relation, days_ago in (
        ("ada", "mira", "mentor", 36),
        ("ada", "bo", "peer", 29),
        ("ada", "eve", "met-at-event", 22),
        ("mira", "omar", "colleague", 35),
        ("eve", "omar", "mentor", 21),
        ("eve", "gus", "peer", 8),
        ("bo", "fin", "colleague", 15),
        ("cy", "ada", "peer", 20),
        ("hal", "ivy", "mentor", 2),
    ):
        await s.knows(owner, other, relation, days_ago)

    # Spring: three mentorships, every session completed, quick responses, sentiment up.
    for mentee, started in (("ada", 34), ("bo", 27), ("cy", 20)):
        mentorship = await s.mentorship("mira", mentee, spring, started)
        for days_ago in range(started - 2, 0, -7):
            await s.session(mentorship, days_ago, SessionStatus.COMPLETED, response_hours=5)

    # Autumn: no-shows (two in a row for Fin), slow responses, a sentiment drop, a dropout.
    eve = await s.mentorship("omar", "eve", autumn, 23)
    for days_ago, status in ((21, SessionStatus.COMPLETED), (14, SessionStatus.NO_SHOW)):
        await s.session(eve, days_ago, status, response_hours=60, sentiment=(4, 2))
    await s.session(eve, 7, SessionStatus.COMPLETED, response_hours=30, sentiment=(3, 3))
    fin = await s.mentorship("omar", "fin", autumn, 15)
    await s.session(fin, 13, SessionStatus.COMPLETED, response_hours=50, sentiment=(4, 3))
    await s.session(fin, 6, SessionStatus.NO_SHOW, response_hours=70)
    await s.session(fin, 2, SessionStatus.NO_SHOW, response_hours=80)
    gus = await s.mentorship("omar", "gus", autumn, 8)
    await s.session(gus, 6, SessionStatus.COMPLETED, response_hours=12, sentiment=(3, 2))
    await mentorships.transition(graph, gus, MentorshipStatus.ABANDONED, "moved away", now=s.ago(3))

    # Studio, in the other program.
    ivy = await s.mentorship("hal", "ivy", studio, 2)
    await s.session(ivy, 1, SessionStatus.COMPLETED, response_hours=2)

    # Outcome measurements (targets are 4.0): Spring does well, Autumn less so.
    await s.measure(spring, "ada", (4.5, 4.0, 3.0))
    await s.measure(spring, "bo", (4.0, 3.5, 2.5))
    await s.measure(spring, "cy", (3.0, 4.2, 4.1))
    await s.measure(autumn, "eve", (2.5, 3.0, 4.0))
    await s.measure(autumn, "fin", (2.0, 2.0, 2.0))
    await s.measure(studio, "ivy", (4.0, 4.0, 4.0))

    # Portability: a partner platform, exports and imports (as the export and import modules
    # record them).
    await platforms.register_platform(
        graph,
        {
            "id": "partner-one",
            "name": "Partner One",
            "issuer": "https://partner-one.example",
            "jwks_url": "https://partner-one.example/.well-known/jwks.json",
            "jwks": None,
            "webhook_url": None,
        },
        s.ago(50),
    )
    await graph.query(
        """
        UNWIND $exports AS e
        MATCH (p:Person {id: e.person})
        CREATE (:Export {id: e.id, at: e.at, audience: e.audience, scopes: ['profile']})-[:OF]->(p)
        """,
        {
            "exports": [
                {
                    "id": new_id("bdl"),
                    "person": s.seeded.people["ada"],
                    "at": s.ago(12),
                    "audience": "self",
                },
                {
                    "id": new_id("bdl"),
                    "person": s.seeded.people["eve"],
                    "at": s.ago(5),
                    "audience": "partner-one",
                },
                {
                    "id": new_id("bdl"),
                    "person": s.seeded.people["ivy"],
                    "at": s.ago(1),
                    "audience": "partner-one",
                },
            ]
        },
        write=True,
    )
    await graph.query(
        """
        UNWIND $imports AS i
        CREATE (:Import {id: i.id, at: i.at, status: i.status, platform_id: 'partner-one'})
        """,
        {
            "imports": [
                {"id": new_id("imp"), "at": s.ago(10), "status": "applied"},
                {"id": new_id("imp"), "at": s.ago(4), "status": "dry_run"},
            ]
        },
        write=True,
    )
    # A refused import writes nothing but its counter (graph/import_refusals.py).
    await import_refusals.count_refusal(
        graph, at=s.ago(4), platform_id="partner-one", problem="bundle-expired"
    )
    return s.seeded
