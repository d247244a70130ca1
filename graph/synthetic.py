"""Synthetic mentorship networks for `rolodex seed` and the benchmarks: realistic and deterministic.

`generate(Spec(...))` returns plain dict rows (the shapes graph/bulk.py loads) for a network that
looks like what the API writes: the same labels, relationship types, property names and types,
ids with the kind prefixes of graph/ids.py. Everything is drawn from one `random.Random(seed)`
and the time line ends at `Spec.until`, so the same spec always gives the same rows, ids included.

What it models:
- people joining over time (40 % before the `weeks` window, the rest during it), ~22 % mentors
  (capacity 1-5) of whom some are also mentees, a share of them discoverable, with skills and
  interests drawn with skewed popularity, languages, IANA time zones, headlines and emails;
- rolodex contacts by preferential attachment (a newcomer links to people in proportion to
  the contacts they already have, so degrees are skewed), recorded by either side or both, plus
  inline contact cards (about a tenth of the contacts);
- programs with cohorts (3-5 outcomes each) staggered over the window, and cohort memberships;
- mentorships inside cohorts through their lifecycle (proposed, declined, active, paused,
  completed, abandoned) with a mentor never over capacity and at most one mentorship per pair;
- sessions at a per-mentorship cadence: mostly completed, some no-shows and cancellations
  (`cancelled_at`, a share less than 24 h ahead), requested/responded times with log-normal
  response delays, sentiment before and after; a next session scheduled for live ones;
- measurements of mentees' progress on their cohort's outcomes, from baseline towards target.
"""

from __future__ import annotations

import base64
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graph import bulk
from graph.bulk import BulkStats, Kind
from graph.db import Graph
from graph.demo import DEMO_OUTCOMES

Row = dict[str, Any]

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
WEEK = timedelta(weeks=1)

FIRST_NAMES = [
    "Ada",
    "Alan",
    "Amara",
    "Ana",
    "Arjun",
    "Ayesha",
    "Bea",
    "Bruno",
    "Carla",
    "Chen",
    "Chidi",
    "Dana",
    "Diego",
    "Elif",
    "Emil",
    "Eva",
    "Farah",
    "Felix",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jia",
    "Jonas",
    "Kofi",
    "Lara",
    "Leo",
    "Lina",
    "Luca",
    "Maya",
    "Mei",
    "Mira",
    "Nadia",
    "Noah",
    "Nora",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Sami",
    "Sara",
    "Sofia",
    "Tariq",
    "Tomas",
    "Uma",
    "Vera",
    "Wen",
    "Yara",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Abebe",
    "Alvarez",
    "Bauer",
    "Becker",
    "Chen",
    "Costa",
    "Das",
    "Dubois",
    "Eriksen",
    "Farouk",
    "Garcia",
    "Gupta",
    "Haddad",
    "Hansen",
    "Ito",
    "Jansen",
    "Kim",
    "Kowalski",
    "Lee",
    "Lindqvist",
    "Lopez",
    "Mendes",
    "Meyer",
    "Mokoena",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Oliveira",
    "Park",
    "Patel",
    "Popescu",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Suzuki",
    "Tanaka",
    "Virtanen",
    "Wang",
    "Weber",
    "Williams",
    "Yilmaz",
    "Zhang",
]
ORGANISATIONS = (
    "Acme Labs",
    "Blue Harbor",
    "Cobalt Systems",
    "Delta Health",
    "Evergreen Bank",
    "Fjord Analytics",
    "Greenline Energy",
    "Helix Bio",
    "Ionic Retail",
    "Juniper Schools",
    "Kestrel Logistics",
    "Lumen Media",
    "Meridian Insurance",
    "Northwind Foods",
    "Orbit Telecom",
    "Pioneer Public Services",
)
TITLES = (
    "Software Engineer",
    "Senior Engineer",
    "Staff Engineer",
    "Engineering Manager",
    "Product Manager",
    "Designer",
    "Data Scientist",
    "Analyst",
    "Team Lead",
    "Director",
    "Consultant",
    "Researcher",
    "Operations Lead",
    "Recruiter",
)
SKILLS = (
    "python",
    "leadership",
    "communication",
    "product",
    "data-analysis",
    "javascript",
    "public-speaking",
    "negotiation",
    "sql",
    "design",
    "machine-learning",
    "project-management",
    "cloud",
    "security",
    "writing",
    "hiring",
    "finance",
    "marketing",
    "ux-research",
    "strategy",
    "coaching",
    "devops",
    "go",
    "java",
    "rust",
    "statistics",
    "sales",
    "operations",
    "accessibility",
    "mobile",
    "testing",
    "graphs",
    "career-change",
    "management",
    "entrepreneurship",
    "customer-success",
)
SKILL_WEIGHTS = tuple(1.0 / (rank + 1) ** 0.9 for rank in range(len(SKILLS)))
LANGUAGES = ("es", "pt-BR", "fr", "de", "hi", "zh", "ja", "ar", "sw", "fi", "pl", "tr")
TIMEZONES = (
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Helsinki",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Dubai",
    "Australia/Sydney",
    "Pacific/Auckland",
)
RELATIONS = ("colleague", "peer", "manager", "met-at-event", "classmate", "friend", "mentor")
RELATION_WEIGHTS = (30, 20, 8, 18, 8, 10, 6)
CONTEXTS = (
    "Worked together on the platform migration",
    "Met at a community meetup",
    "Same team for two years",
    "Introduced by a mutual friend",
    "Spoke on the same conference panel",
    "Studied together",
    "Former manager",
)
PROGRAM_NAMES = (
    "Women in Tech Mentoring",
    "New Managers",
    "Career Switchers",
    "Engineering Leadership",
    "First-Generation Professionals",
    "Product Craft",
    "Data Careers",
    "Returners",
    "Founders Circle",
    "Early Careers",
)
COHORT_SEASONS = ("Winter", "Spring", "Summer", "Autumn")
OUTCOME_CATALOG: tuple[dict[str, Any], ...] = (
    *DEMO_OUTCOMES,
    {
        "key": "confidence",
        "name": "Confidence",
        "metric": "self-assessed confidence at work",
        "baseline": 2.5,
        "target": 4.0,
        "unit": "points (1-5)",
    },
    {
        "key": "skill-mastery",
        "name": "Skill mastery",
        "metric": "skills assessed at proficient or above",
        "baseline": 1.0,
        "target": 4.0,
        "unit": "skills",
    },
    {
        "key": "salary-growth",
        "name": "Salary growth",
        "metric": "change in base salary",
        "baseline": 0.0,
        "target": 8.0,
        "unit": "percent",
    },
)
GOALS = (
    "Prepare for a senior role",
    "Grow my professional network",
    "Get better at giving feedback",
    "Plan a career change",
    "Lead my first project",
    "Negotiate a promotion",
    "Build confidence in public speaking",
    "Learn to manage a team",
)
END_REASONS = {
    "completed": ("Goals met", "The cohort ended", "Ready to go on alone"),
    "abandoned": ("Lost touch", "Schedule conflicts", "Changed jobs", "Not the right fit"),
    "declined": ("No capacity this quarter", "Not a good fit", "Outside my expertise"),
}
PAUSE_REASONS = ("Parental leave", "A busy quarter", "Travelling for work", "Health")
NOTES = (
    "Worked through a promotion case",
    "Mock interview, good progress",
    "Discussed a difficult conversation with a manager",
    "Reviewed a project plan",
    "Set goals for the next month",
)


@dataclass(frozen=True)
class Spec:
    """What to generate. `until` ends the time line (default: this ISO week's Monday, UTC)."""

    people: int
    avg_contacts: float = 10.0
    programs: int = 5
    weeks: int = 26
    seed: int = 1
    until: datetime = field(default_factory=lambda: week_start(datetime.now(UTC)))

    def __post_init__(self) -> None:
        if self.people < 1 or self.programs < 1 or self.weeks < 1:
            raise ValueError("people, programs and weeks must be at least 1")
        if self.avg_contacts < 0:
            raise ValueError("avg_contacts cannot be negative")
        if self.until.tzinfo is None:
            raise ValueError("until must carry a time zone")


def week_start(moment: datetime) -> datetime:
    """Midnight UTC on the Monday of `moment`'s ISO week."""
    day = moment.astimezone(UTC).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


@dataclass
class Network:
    """Rows by kind, in an order that loads parents before children."""

    programs: list[Row] = field(default_factory=list)
    cohorts: list[Row] = field(default_factory=list)
    outcomes: list[Row] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    knows: list[Row] = field(default_factory=list)
    cards: list[Row] = field(default_factory=list)
    mentorships: list[Row] = field(default_factory=list)
    sessions: list[Row] = field(default_factory=list)
    measurements: list[Row] = field(default_factory=list)

    def parts(self) -> list[tuple[Kind, list[Row]]]:
        return [
            (bulk.PROGRAMS, self.programs),
            (bulk.COHORTS, self.cohorts),
            (bulk.OUTCOMES, self.outcomes),
            (bulk.PEOPLE, self.people),
            (bulk.MEMBERSHIPS, self.memberships),
            (bulk.KNOWS, self.knows),
            (bulk.CARDS, self.cards),
            (bulk.MENTORSHIPS, self.mentorships),
            (bulk.SESSIONS, self.sessions),
            (bulk.MEASUREMENTS, self.measurements),
        ]

    @property
    def rows(self) -> int:
        return sum(len(rows) for _, rows in self.parts())


class _Draw:
    """The one random source, with the few distributions the generator needs."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets

    def id(self, prefix: str) -> str:
        """An id like graph.ids.new_id makes: prefix, `_`, 96 bits in base64url (16 chars)."""
        return f"{prefix}_{base64.urlsafe_b64encode(self.rng.randbytes(12)).decode()}"

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def weighted(self, options: Sequence[Any], weights: Sequence[float]) -> Any:
        return self.rng.choices(options, weights)[0]

    def tags(self, count: int) -> list[str]:
        chosen = self.rng.choices(SKILLS, SKILL_WEIGHTS, k=count * 2)
        return list(dict.fromkeys(chosen))[:count]

    def between(self, start: datetime, end: datetime) -> datetime:
        span = max((end - start).total_seconds(), 0.0)
        return _second(start + timedelta(seconds=self.rng.random() * span))

    def hours_lognormal(self, median_hours: float, sigma: float) -> timedelta:
        return timedelta(hours=self.rng.lognormvariate(math.log(median_hours), sigma))


def _second(moment: datetime) -> datetime:
    """Whole seconds, as the API's clients usually send."""
    return moment.replace(microsecond=0)


def generate(spec: Spec) -> Network:
    """The rows of the network `spec` describes (deterministic for a given spec)."""
    draw = _Draw(spec.seed)
    until = _second(spec.until.astimezone(UTC))
    window = until - spec.weeks * WEEK
    net = Network()
    cohorts = _programs(draw, spec, window, until, net)
    people = _people(draw, spec, window, until, net)
    members = _memberships(draw, people, cohorts, until, net)
    _contacts(draw, spec, people, until, net)
    _mentorships(draw, people, cohorts, members, until, net)
    return net


def _programs(
    draw: _Draw, spec: Spec, window: datetime, until: datetime, net: Network
) -> list[Row]:
    """Programs, their cohorts staggered over the window, 3-5 outcomes each."""
    cohorts: list[Row] = []
    for number in range(spec.programs):
        created = draw.between(window - 26 * WEEK, window - 4 * WEEK)
        name = PROGRAM_NAMES[number % len(PROGRAM_NAMES)]
        if number >= len(PROGRAM_NAMES):
            name = f"{name} {number // len(PROGRAM_NAMES) + 1}"
        program = {
            "id": draw.id("prg"),
            "name": name,
            "description": f"{name}: mentors and mentees matched in cohorts.",
            "created_at": created,
        }
        net.programs.append(program)
        for _ in range(draw.rng.randint(2, 4)):
            starts = draw.between(window - 8 * WEEK, max(until - 4 * WEEK, window))
            ends = starts + draw.rng.randint(12, 26) * WEEK
            cohort = {
                "id": draw.id("coh"),
                "program_id": program["id"],
                "name": f"{COHORT_SEASONS[(starts.month - 1) // 3]} {starts.year}",
                "starts_on": starts.date(),
                "ends_on": ends.date(),
                "created_at": draw.between(created, starts - WEEK),
            }
            net.cohorts.append(cohort)
            cohorts.append({**cohort, "starts": starts, "ends": ends, "outcomes": []})
            chosen = draw.rng.sample(OUTCOME_CATALOG, draw.rng.randint(3, 5))
            for position, template in enumerate(chosen):
                outcome = {
                    **template,
                    "id": draw.id("out"),
                    "cohort_id": cohort["id"],
                    "position": position,
                    "due_date": ends.date(),
                }
                net.outcomes.append(outcome)
                cohorts[-1]["outcomes"].append(outcome)
    return cohorts


def _people(draw: _Draw, spec: Spec, window: datetime, until: datetime, net: Network) -> list[Row]:
    """People in the order they joined (the order preferential attachment grows in)."""
    before = int(spec.people * 0.4)
    earlier = window - 52 * WEEK
    joined = sorted(
        [draw.between(earlier, window) for _ in range(before)]
        + [draw.between(window, until - HOUR) for _ in range(spec.people - before)]
    )
    people: list[Row] = []
    for number, created in enumerate(joined):
        first, last = draw.pick(FIRST_NAMES), draw.pick(LAST_NAMES)
        kind = draw.rng.random()
        roles = ["mentor"] if kind < 0.17 else ["mentor", "mentee"] if kind < 0.22 else ["mentee"]
        mentor = "mentor" in roles
        languages = ["en"] if draw.chance(0.85) else []
        if draw.chance(0.3) or not languages:
            languages.append(draw.pick(LANGUAGES))
        updated = draw.between(created, until) if draw.chance(0.3) else created
        person: Row = {
            "id": draw.id("per"),
            "display_name": f"{first} {last}",
            "skills": draw.tags(draw.rng.randint(2, 6)),
            "interests": draw.tags(draw.rng.randint(1, 4)),
            "languages": languages,
            "timezone": draw.pick(TIMEZONES),
            "roles": roles,
            "capacity": draw.rng.randint(1, 5) if mentor else 0,
            "discoverable": draw.chance(0.7 if mentor else 0.4),
            "created_at": created,
            "updated_at": updated,
        }
        if draw.chance(0.9):
            person["headline"] = f"{draw.pick(TITLES)} at {draw.pick(ORGANISATIONS)}"
        if draw.chance(0.85):
            person["email"] = f"{first}.{last}.{number}@example.org".lower()
        net.people.append(person)
        people.append(person)
    return people


def _memberships(
    draw: _Draw, people: list[Row], cohorts: list[Row], until: datetime, net: Network
) -> dict[str, list[tuple[Row, datetime]]]:
    """About three in four people enrol in one cohort; returns the members of each cohort."""
    members: dict[str, list[tuple[Row, datetime]]] = {cohort["id"]: [] for cohort in cohorts}
    for person in people:
        if not draw.chance(0.75):
            continue
        cohort = draw.pick(cohorts)
        since = max(person["created_at"], cohort["starts"] - 2 * WEEK)
        since = _second(since + timedelta(seconds=draw.rng.random() * 3 * 86400))
        if since >= until:
            continue
        net.memberships.append(
            {"person_id": person["id"], "cohort_id": cohort["id"], "since": since}
        )
        members[cohort["id"]].append((person, since))
    return members


def _contacts(draw: _Draw, spec: Spec, people: list[Row], until: datetime, net: Network) -> None:
    """KNOWS by preferential attachment, plus inline contact cards."""
    person_share = 0.9
    per_link = 1.2  # KNOWS rows per link: one side records it, or both
    mean_links = spec.avg_contacts * person_share / per_link
    pool: list[int] = []  # each person once, plus once per contact they have: pick ∝ degree + 1
    latest = until - timedelta(minutes=1)
    for index in range(len(people)):
        wanted = 0
        if index and mean_links > 0:
            wanted = 1 + int(draw.rng.expovariate(1 / mean_links)) if mean_links > 1 else 1
            wanted = min(wanted, index)
        chosen: dict[int, None] = {}
        attempts = 0
        while len(chosen) < wanted and attempts < wanted * 4:
            attempts += 1
            other = pool[draw.rng.randrange(len(pool))]
            if other != index:
                chosen[other] = None
        for other in chosen:
            direction = draw.rng.random()
            pairs = [(index, other)] if direction < 0.45 else [(other, index)]
            if direction >= 0.8:
                pairs.append((other, index))
            for owner, known in pairs:
                net.knows.append(_knows(draw, people[owner], people[known], latest))
            pool.append(other)
            pool.append(index)
        pool.append(index)
    mean_cards = spec.avg_contacts * (1 - person_share)
    for person in people:
        if mean_cards <= 0:
            break
        for _ in range(int(draw.rng.expovariate(1 / mean_cards) + 0.5)):
            net.cards.append(_card(draw, person, latest))


def _knows(draw: _Draw, owner: Row, known: Row, latest: datetime) -> Row:
    start = max(owner["created_at"], known["created_at"])
    created = min(draw.between(start, start + 14 * DAY), latest)
    row: Row = {
        "id": draw.id("ctc"),
        "from_id": owner["id"],
        "to_id": known["id"],
        "relation": draw.weighted(RELATIONS, RELATION_WEIGHTS),
        "source": "manual",
        "created_at": created,
    }
    if draw.chance(0.6):
        row["since"] = (created - timedelta(days=draw.rng.randint(30, 3650))).date()
    if draw.chance(0.3):
        row["context"] = draw.pick(CONTEXTS)
    if draw.chance(0.05):  # the name the owner knows them by, instead of their display name
        row["name"] = known["display_name"].split()[0]
    if draw.chance(0.1):
        row["email"] = f"{known['display_name'].replace(' ', '.').lower()}@work.example.org"
    if draw.chance(0.2):
        row["organisation"] = draw.pick(ORGANISATIONS)
        row["title"] = draw.pick(TITLES)
    return row


def _card(draw: _Draw, owner: Row, latest: datetime) -> Row:
    first, last = draw.pick(FIRST_NAMES), draw.pick(LAST_NAMES)
    row: Row = {
        "id": draw.id("ctc"),
        "owner_id": owner["id"],
        "name": f"{first} {last}",
        "relation": draw.weighted(RELATIONS, RELATION_WEIGHTS),
        "source": "manual",
        "created_at": draw.between(owner["created_at"], latest),
    }
    if draw.chance(0.6):
        row["email"] = f"{first}.{last}@example.com".lower()
    if draw.chance(0.7):
        row["organisation"] = draw.pick(ORGANISATIONS)
    if draw.chance(0.5):
        row["title"] = draw.pick(TITLES)
    if draw.chance(0.4):
        row["context"] = draw.pick(CONTEXTS)
    if draw.chance(0.5):
        row["since"] = (row["created_at"] - timedelta(days=draw.rng.randint(30, 3650))).date()
    return row


def _mentorships(
    draw: _Draw,
    people: list[Row],
    cohorts: list[Row],
    members: dict[str, list[tuple[Row, datetime]]],
    until: datetime,
    net: Network,
) -> None:
    """Mentorships in each cohort, one after another in each of a mentor's capacity slots, so a
    mentor is never over capacity; a mentor never mentors the same mentee twice."""
    for cohort in cohorts:
        enrolled = members[cohort["id"]]
        mentors = [(p, since) for p, since in enrolled if "mentor" in p["roles"]]
        mentees = [(p, since) for p, since in enrolled if "mentee" in p["roles"]]
        if not mentors or not mentees:
            continue
        for mentor, mentor_since in mentors:
            paired: set[str] = {mentor["id"]}
            for _ in range(mentor["capacity"]):
                if not draw.chance(0.6):
                    continue
                moment = max(cohort["starts"], mentor_since) + draw.rng.random() * 3 * WEEK
                closes = min(until, cohort["ends"])
                while moment < closes:
                    mentee, mentee_since = draw.pick(mentees)
                    if mentee["id"] in paired:
                        moment += WEEK
                        continue
                    paired.add(mentee["id"])
                    proposed = _second(max(moment, mentee_since) + draw.rng.random() * 2 * DAY)
                    if proposed >= until:
                        break
                    ended = _mentorship(draw, mentor, mentee, cohort, proposed, until, net)
                    if ended is None:
                        break
                    moment = ended + draw.rng.randint(1, 4) * WEEK


def _mentorship(
    draw: _Draw,
    mentor: Row,
    mentee: Row,
    cohort: Row,
    proposed: datetime,
    until: datetime,
    net: Network,
) -> datetime | None:
    """One mentorship with its sessions and measurements; the moment it ended, or None if it is
    still live at `until` (the slot stays taken)."""
    row: Row = {
        "id": draw.id("mnt"),
        "mentor_id": mentor["id"],
        "mentee_id": mentee["id"],
        "cohort_id": cohort["id"],
        "status": "proposed",
        "goals": list(dict.fromkeys(draw.pick(GOALS) for _ in range(draw.rng.randint(1, 3)))),
        "proposed_by": draw.weighted(("mentee", "mentor", "admin"), (60, 25, 15)),
        "proposed_at": proposed,
        "updated_at": proposed,
    }
    net.mentorships.append(row)
    fate = draw.rng.random()
    if fate < 0.10:  # declined after a few days
        declined = _second(proposed + draw.hours_lognormal(48, 0.8))
        if declined >= until:
            return None
        row.update(
            status="declined",
            ended_at=declined,
            updated_at=declined,
            end_reason=draw.pick(END_REASONS["declined"]),
        )
        return declined
    started = _second(proposed + draw.hours_lognormal(30, 0.8))
    if started >= until:
        return None
    row.update(status="active", started_at=started, updated_at=started)
    if fate < 0.25:
        outcome, ends = "abandoned", started + draw.rng.randint(10, 60) * DAY
    elif fate < 0.35:
        outcome, ends = "paused", started + draw.rng.randint(21, 56) * DAY
    else:
        outcome, ends = "completed", started + draw.rng.randint(8, 16) * WEEK
    ends = _second(ends)
    live = ends >= until or outcome == "paused"
    _sessions(draw, row, started, min(ends, until), outcome, live, until, net)
    _measurements(draw, mentee, cohort, started, min(ends, until), until, net)
    if outcome == "paused" and ends < until:
        row.update(status="paused", pause_reason=draw.pick(PAUSE_REASONS), updated_at=ends)
        return None
    if live:
        return None
    row.update(
        status=outcome,
        ended_at=ends,
        updated_at=ends,
        end_reason=draw.pick(END_REASONS[outcome]),
    )
    return ends


SENTIMENT = (1, 2, 3, 4, 5)
SENTIMENT_WEIGHTS = (5, 15, 40, 30, 10)


def _sessions(
    draw: _Draw,
    mentorship: Row,
    started: datetime,
    stops: datetime,
    outcome: str,
    live: bool,
    until: datetime,
    net: Network,
) -> None:
    cadence = draw.pick((7, 14, 14, 14, 21, 28))
    moment = started + draw.rng.randint(2, 10) * DAY
    struggling = outcome == "abandoned"
    while True:
        scheduled = _second(moment.replace(hour=draw.rng.randint(8, 18), minute=0, second=0))
        if scheduled >= stops or scheduled + HOUR > until:
            break
        net.sessions.append(_session(draw, mentorship, started, scheduled, struggling, until))
        moment += (cadence + draw.rng.randint(-2, 3)) * DAY
    if live and mentorship["status"] == "active" and outcome != "paused":
        scheduled = _second(
            max(moment, until).replace(hour=draw.rng.randint(8, 18), minute=0, second=0)
            + DAY * draw.rng.randint(0, 7)
        )
        requested = _second(max(started, until - draw.rng.randint(1, 5) * DAY))
        net.sessions.append(_scheduled(draw, mentorship, scheduled, requested))


def _scheduled(draw: _Draw, mentorship: Row, scheduled: datetime, requested: datetime) -> Row:
    """A session as scheduling it through the API leaves it."""
    return {
        "id": draw.id("ses"),
        "mentorship_id": mentorship["id"],
        "status": "scheduled",
        "scheduled_at": scheduled,
        "requested_at": requested,
        "created_at": requested,
        "updated_at": requested,
    }


def _session(
    draw: _Draw,
    mentorship: Row,
    started: datetime,
    scheduled: datetime,
    struggling: bool,
    until: datetime,
) -> Row:
    requested = _second(
        max(started, scheduled - draw.rng.randint(2, 10) * DAY - draw.rng.random() * DAY)
    )
    row = _scheduled(draw, mentorship, scheduled, requested)
    responded = _second(requested + draw.hours_lognormal(14, 1.0))
    if responded <= until:
        row["responded_at"] = responded
        row["updated_at"] = responded
    fate = draw.rng.random()
    no_show, cancelled = (0.15, 0.30) if struggling else (0.07, 0.18)
    if fate < no_show:
        row.update(status="no_show", updated_at=scheduled + HOUR)
        if draw.chance(0.5):
            row["sentiment_pre"] = draw.weighted(SENTIMENT, SENTIMENT_WEIGHTS)
    elif fate < cancelled:
        ahead = (
            timedelta(hours=draw.rng.uniform(1, 23))
            if draw.chance(0.3)
            else DAY * draw.rng.uniform(1, 5)
        )
        cancelled_at = _second(max(requested, scheduled - ahead))
        row.update(status="cancelled", cancelled_at=cancelled_at, updated_at=cancelled_at)
        if row.get("responded_at", cancelled_at) > cancelled_at:
            del row["responded_at"]
    else:
        pre = draw.weighted(SENTIMENT, SENTIMENT_WEIGHTS)
        delta = draw.weighted(
            (-2, -1, 0, 1, 2), (10, 25, 40, 20, 5) if struggling else (2, 8, 40, 40, 10)
        )
        completed = scheduled + HOUR
        row.update(
            status="completed",
            sentiment_pre=pre,
            sentiment_post=min(5, max(1, pre + delta)),
            completed_at=completed,
            updated_at=completed,
        )
        if draw.chance(0.2):
            row["notes"] = draw.pick(NOTES)
    return row


def _measurements(
    draw: _Draw,
    mentee: Row,
    cohort: Row,
    started: datetime,
    stops: datetime,
    until: datetime,
    net: Network,
) -> None:
    for outcome in cohort["outcomes"]:
        if not draw.chance(0.5):
            continue
        count = draw.rng.randint(1, 3)
        for step in range(1, count + 1):
            measured = _second(started + (stops - started) * step / (count + 1))
            progress = step / count * draw.rng.uniform(0.3, 1.2)
            value = outcome["baseline"] + (outcome["target"] - outcome["baseline"]) * progress
            net.measurements.append(
                {
                    "id": draw.id("msr"),
                    "outcome_id": outcome["id"],
                    "person_id": mentee["id"],
                    "value": round(value + draw.rng.gauss(0, 0.1), 2),
                    "measured_at": measured,
                    "recorded_at": min(_second(measured + draw.hours_lognormal(6, 1.0)), until),
                }
            )


async def load_network(
    graph: Graph,
    network: Network,
    *,
    batch_size: int = bulk.DEFAULT_BATCH_SIZE,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, BulkStats]:
    """Load every part of `network` through the bulk path, parents first; stats by kind.

    `progress(kind name, rows)` is called after each committed batch.
    """
    stats: dict[str, BulkStats] = {}
    for kind, rows in network.parts():

        def advance(done: int, name: str = kind.name) -> None:
            if progress is not None:
                progress(name, done)

        stats[kind.name] = await bulk.load(
            graph, kind, rows, batch_size=batch_size, progress=advance
        )
    return stats
