"""The authorization matrix: every operation in openapi/openapi.json by every kind of principal.

The situation is built once on the real Neo4j: programs P (cohort C) and Q (cohort D); the person
("self", a mentee enrolled in C) with a contact, an active mentorship M in C with their mentor (who
became a member of C by accepting it) and a session; another mentee of C; another mentor (in D);
a discoverable mentor in no program; partner platforms `acme` (self granted it a consent; it
pushed an import), `globex` (no consent) and `initech` (unregistered, its client disabled); a
person who was erased; self's calendar feed. Each operation is called on self's objects by each kind of principal, and
the answer must be what `app.policy.decide` says (status and problem type). Read-only cases share
the situation; after a case that changed something, the situation is built again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient

from app.policy import POLICY, Answer, Reach, Rule, decide
from app.settings import Settings
from auth.keys import public_jwk_of
from auth.principals import PARTNER_SCOPES, Principal, Role
from auth.secrets import feed_token_hash, hash_secret
from auth.tokens import issue_access_token
from graph import calendar_feeds, contacts, mentorships, people, platforms, sessions
from graph.clients import create_client
from graph.db import Graph
from graph.mentorships import MentorshipStatus, Proposer
from tests import builders
from tests.conftest import TokenFactory
from tests.support.fake_partner import FakePartner

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
PROBLEMS = "https://rolodex.dev/problems/"
SECRET = "matrix-client-secret-0123456789abcdef"
FEED_TOKEN = "matrix-calendar-feed-token-0123456789abcdef"
HOLDER_JWK = public_jwk_of(ec.generate_private_key(ec.SECP256R1()))
VCARD = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Card\r\nEMAIL:ada@example.org\r\nEND:VCARD\r\n"
METHODS = ("get", "post", "put", "patch", "delete")


class Kind(StrEnum):
    ANONYMOUS = "anonymous"
    SELF = "the person themselves"
    OTHER_MENTEE = "another mentee"
    THEIR_MENTOR = "their mentor"
    OTHER_MENTOR = "another mentor"
    PROGRAM_ADMIN = "admin of their program"
    OTHER_PROGRAM_ADMIN = "admin of another program"
    OPERATOR = "operator admin"
    PARTNER_CONSENTED = "partner with an active consent"
    PARTNER_UNCONSENTED = "partner without consent"
    PARTNER_UNREGISTERED = "partner of an unregistered platform"
    ERASED = "token of an erased person"


PERSON_IDS = {
    Kind.SELF: "per_self",
    Kind.OTHER_MENTEE: "per_peer",
    Kind.THEIR_MENTOR: "per_mentor",
    Kind.OTHER_MENTOR: "per_far_mentor",
    Kind.ERASED: "per_erased",
}
PLATFORMS = {
    Kind.PARTNER_CONSENTED: "acme",
    Kind.PARTNER_UNCONSENTED: "globex",
    Kind.PARTNER_UNREGISTERED: "initech",
}
PEOPLE = frozenset(PERSON_IDS)
ADMINS = frozenset({Kind.PROGRAM_ADMIN, Kind.OTHER_PROGRAM_ADMIN, Kind.OPERATOR})


def operations() -> list[tuple[str, str, str]]:
    """(operationId, METHOD, path template) of every operation the OpenAPI document lists."""
    document = json.loads(OPENAPI.read_text())
    return sorted(
        (operation["operationId"], method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    )


@dataclass
class World:
    """Ids of the situation (the fixed ones are constants; these are generated)."""

    program: str = ""
    other_program: str = ""
    cohort: str = ""
    mentorship: str = ""
    session: str = ""
    contact: str = ""
    consent: str = ""
    import_id: str = "imp_none"
    status_list: str = "stl_matrix"
    principals: dict[Kind, Principal] = field(default_factory=dict)


# What each kind of principal holds, by the object an operation acts on (self's objects).
OBJECT_REACH: dict[str, dict[Reach, frozenset[Kind]]] = {
    "person": {
        Reach.SELF: frozenset({Kind.SELF}),
        Reach.PROGRAM_ADMIN: frozenset({Kind.PROGRAM_ADMIN, Kind.OPERATOR}),
        Reach.PLATFORM: frozenset({Kind.PARTNER_CONSENTED}),
    },
    # A partner's view of the consents is the grants to its own platform, possibly none.
    "consents": {
        Reach.SELF: frozenset({Kind.SELF}),
        Reach.PLATFORM: frozenset({Kind.PARTNER_CONSENTED, Kind.PARTNER_UNCONSENTED}),
    },
    "me": {Reach.SELF: PEOPLE - {Kind.ERASED}},
    "new-person": {
        Reach.SELF: PEOPLE,
        Reach.PROGRAM_ADMIN: frozenset({Kind.PROGRAM_ADMIN, Kind.OPERATOR}),
    },
    "cohort": {
        Reach.MEMBER: frozenset({Kind.SELF, Kind.OTHER_MENTEE, Kind.THEIR_MENTOR}),
        Reach.PROGRAM_ADMIN: frozenset({Kind.PROGRAM_ADMIN, Kind.OPERATOR}),
    },
    "program": {Reach.PROGRAM_ADMIN: frozenset({Kind.PROGRAM_ADMIN, Kind.OPERATOR})},
    "mentorship": {
        Reach.PARTY: frozenset({Kind.SELF, Kind.THEIR_MENTOR}),
        Reach.PROGRAM_ADMIN: frozenset({Kind.PROGRAM_ADMIN, Kind.OPERATOR}),
    },
    "proposal": {
        Reach.PARTY: frozenset({Kind.SELF}),
        Reach.PROGRAM_ADMIN: frozenset({Kind.PROGRAM_ADMIN, Kind.OPERATOR}),
    },
    "consent": {
        Reach.SELF: frozenset({Kind.SELF}),
        Reach.PLATFORM: frozenset({Kind.PARTNER_CONSENTED}),
    },
    "import": {Reach.PLATFORM: frozenset({Kind.PARTNER_CONSENTED})},
    "none": {},
}


def object_of(rule: Rule) -> str:
    special = {
        "mentorships-propose": "proposal",
        "people-create": "new-person",
        "people-me": "me",
        "bundles-download": "me",
        "credentials-issue": "me",
        "credentials-list": "me",
        "credentials-revoke": "me",
        "imports-nonce": "me",
        "consents-list": "consents",
    }
    if rule.operation in special:
        return special[rule.operation]
    for name, kind in (
        ("{person_id}", "person"),
        ("{cohort_id}", "cohort"),
        ("{program_id}", "program"),
        ("{mentorship_id}", "mentorship"),
        ("{session_id}", "mentorship"),
        ("{consent_id}", "consent"),
        ("{import_id}", "import"),
    ):
        if name in rule.path:
            return kind
    return "none"


def expected(rule: Rule, kind: Kind, world: World) -> Answer:
    """The policy's answer for this kind of principal on self's objects."""
    if rule.public:
        return Answer.ALLOW
    if kind is Kind.ANONYMOUS:
        return Answer.UNAUTHENTICATED
    if kind is Kind.PARTNER_UNREGISTERED:
        return Answer.INVALID_TOKEN
    held = {reach for reach, kinds in OBJECT_REACH[object_of(rule)].items() if kind in kinds}
    return decide(rule, world.principals[kind], held)


# Requests ------------------------------------------------------------------------------------

Probe = Callable[[Kind, World], dict[str, Any]]


def _own_or_self(kind: Kind) -> str:
    return PERSON_IDS.get(kind, "per_self")


def _outcome(key: str) -> dict[str, Any]:
    return {**builders.outcome(key), "due_date": "2030-06-30"}


PROBES: dict[str, Probe] = {
    "oauth-token": lambda kind, w: {
        "data": {"grant_type": "client_credentials"}
        | (
            {"client_id": f"client_{PLATFORMS[kind]}", "client_secret": SECRET}
            if kind in PLATFORMS
            else {}
        )
    },
    "people-create": lambda kind, w: {
        "json": {"display_name": "Newcomer", "roles": ["mentee"]}
        | ({"cohort_id": w.cohort} if kind in ADMINS else {})
    },
    "people-update": lambda kind, w: {"json": {"headline": "Changed"}},
    "contacts-create": lambda kind, w: {"json": {"name": "A card"}},
    "contacts-update": lambda kind, w: {"json": {"name": "Renamed card"}},
    "mypage-dev-sign-in": lambda kind, w: {"json": {"person_id": "demo-ada"}},
    "contacts-import-vcard": lambda kind, w: {
        "content": VCARD,
        "headers": {"content-type": "text/vcard"},
    },
    "mentorships-propose": lambda kind, w: {
        "json": {"mentor_id": "per_spare", "mentee_id": "per_self", "cohort_id": w.cohort}
    },
    "mentorships-transition": lambda kind, w: {"json": {"status": "paused"}},
    "sessions-create": lambda kind, w: {"json": {"scheduled_at": "2031-01-01T10:00:00Z"}},
    "sessions-update": lambda kind, w: {"json": {"sentiment_pre": 4}},
    "cohorts-measure": lambda kind, w: {
        "json": {
            "person_id": _own_or_self(kind),
            "value": 3.0,
            "measured_at": "2030-01-01T00:00:00Z",
        }
    },
    "programs-create": lambda kind, w: {"json": {"name": "New program"}},
    "cohorts-create": lambda kind, w: {
        "json": {"name": "New cohort", "outcomes": [_outcome(k) for k in ("a", "b", "c")]}
    },
    "preferences-put": lambda kind, w: {"json": {}},
    "preferences-program-defaults": lambda kind, w: {"json": {}},
    "preferences-effective": lambda kind, w: {"params": {"audience": "acme"}},
    "consents-grant": lambda kind, w: {
        "json": {"audience": "acme", "scopes": ["profile"], "purpose": "Share my profile"}
        | (
            {"collection_method": "admin-recorded", "evidence": "Signed form 12"}
            if kind in ADMINS
            else {}
        )
    },
    "bundles-export": lambda kind, w: {"json": {"audience": PLATFORMS.get(kind, "self")}},
    "imports-create": lambda kind, w: {"json": {"bundle": "not-a-bundle"}},
    "platforms-create": lambda kind, w: {
        "json": {
            "id": "newco",
            "name": "NewCo",
            "issuer": "https://newco.example",
            "jwks_url": "https://newco.example/jwks.json",
        }
    },
    "platforms-update": lambda kind, w: {"json": {"name": "Acme renamed"}},
    "credentials-issue": lambda kind, w: {"json": {"holder_jwk": HOLDER_JWK}},
}

# What "allowed" looks like where it is not a 2xx: the request passed authorization and met
# the operation's own rule (a malformed bundle; a profile that already exists).
ALLOWED_STATUSES: dict[str, frozenset[int]] = {
    "imports-create": frozenset({400}),
    "credentials-revoke": frozenset({404}),  # they hold no credential with the probe's id
    "people-create": frozenset({201, 409}),
    "health-ready": frozenset({200, 503}),
    "mypage-dev-sign-in": frozenset({200, 404}),  # 404 while no demo graph is loaded
}

# The token endpoint takes client credentials, not bearer tokens: partners send their client's,
# everyone else none. The unregistered platform's client is refused (door 3).
TOKEN_ENDPOINT = {
    Kind.PARTNER_CONSENTED: 200,
    Kind.PARTNER_UNCONSENTED: 200,
    Kind.PARTNER_UNREGISTERED: 401,
}


def _path(template: str, world: World) -> str:
    values = {
        "person_id": "per_self",
        "cohort_id": world.cohort,
        "program_id": world.program,
        "mentorship_id": world.mentorship,
        "session_id": world.session,
        "consent_id": world.consent,
        "import_id": world.import_id,
        "platform_id": "acme",
        "contact_id": world.contact,
        "other_id": "per_spare",
        "key": "o1",
        "token": FEED_TOKEN,
        "list_id": world.status_list,
        "credential_id": "crd_none",
        "version": "2",
    }
    return template.format(**values)


# The situation ---------------------------------------------------------------------------------


class Situation:
    def __init__(
        self, client: TestClient, graph: Graph, settings: Settings, partner: FakePartner
    ) -> None:
        self.client = client
        self.graph = graph
        self.settings = settings
        self.partner = partner
        self.secret_hash = hash_secret(SECRET)
        self.tokens = TokenFactory(client, settings)
        self.world = World()
        self.headers = self._headers()

    def _headers(self) -> dict[Kind, dict[str, str]]:
        headers: dict[Kind, dict[str, str]] = {Kind.ANONYMOUS: {}}
        for kind, person_id in PERSON_IDS.items():
            role = Role.MENTOR if "mentor" in person_id else Role.MENTEE
            headers[kind] = self.tokens.headers(person_id, role)
            self.world.principals[kind] = Principal(subject=person_id, role=role, token_id="t")
        return headers

    def _admin(self, kind: Kind, programs: list[str]) -> None:
        self.headers[kind] = self.tokens.headers(f"admin-{kind.name}", "admin", programs=programs)
        self.world.principals[kind] = Principal(
            subject="admin", role=Role.ADMIN, token_id="t", programs=frozenset(programs)
        )

    def _partner(self, kind: Kind) -> None:
        platform_id = PLATFORMS[kind]
        token = issue_access_token(
            self.client.app.state.keystore.access,  # type: ignore[attr-defined]
            issuer=self.settings.public_url,
            audience=self.settings.access_token_audience,
            subject=f"client_{platform_id}",
            role=Role.PARTNER,
            ttl=timedelta(minutes=30),
            scopes=PARTNER_SCOPES,
            platform_id=platform_id,
        )
        self.headers[kind] = {"Authorization": f"Bearer {token}"}
        self.world.principals[kind] = Principal(
            subject=f"client_{platform_id}",
            role=Role.PARTNER,
            token_id="t",
            scopes=PARTNER_SCOPES,
            platform_id=platform_id,
        )

    async def build(self, *, with_import: bool = False) -> World:
        graph, world = self.graph, self.world
        await graph.query("MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n", write=True)
        world.program = (await builders.program(graph, "P"))["id"]
        world.other_program = (await builders.program(graph, "Q"))["id"]
        world.cohort = (await builders.cohort(graph, world.program))["id"]
        far_cohort = (await builders.cohort(graph, world.other_program))["id"]
        await builders.person(graph, "Self", person_id="per_self", cohort_id=world.cohort)
        await builders.person(graph, "Peer", person_id="per_peer", cohort_id=world.cohort)
        await builders.mentor(graph, "Mentor", person_id="per_mentor")
        await builders.mentor(
            graph,
            "Far mentor",
            person_id="per_far_mentor",
            cohort_id=far_cohort,
            discoverable=True,
        )
        await builders.mentor(graph, "Spare", person_id="per_spare", discoverable=True)
        await builders.person(graph, "Erased", person_id="per_erased", cohort_id=world.cohort)
        await people.erase_person(graph, "per_erased")
        proposal = await mentorships.propose(
            graph,
            mentor_id="per_mentor",
            mentee_id="per_self",
            cohort_id=world.cohort,
            goals=["Grow"],
            proposed_by=Proposer.ADMIN,
        )
        world.mentorship = proposal["id"]
        await mentorships.transition(graph, world.mentorship, MentorshipStatus.ACTIVE)
        world.session = (
            await sessions.create_session(
                graph, world.mentorship, datetime(2030, 5, 1, 9, tzinfo=UTC)
            )
        )["id"]
        world.contact = (await contacts.add_contact(graph, "per_self", {"name": "Card"}))["id"]
        await calendar_feeds.replace_feed(graph, "per_self", feed_token_hash(FEED_TOKEN))
        now = datetime.now(UTC)
        await platforms.register_platform(graph, self.partner.registration(), now)
        for platform_id in ("globex", "initech"):
            await platforms.register_platform(
                graph,
                {
                    "id": platform_id,
                    "name": platform_id,
                    "issuer": f"https://{platform_id}.example",
                    "jwks_url": f"https://{platform_id}.example/jwks.json",
                },
                now,
            )
        for platform_id in PLATFORMS.values():
            await create_client(
                graph,
                client_id=f"client_{platform_id}",
                platform_id=platform_id,
                name=platform_id,
                scopes=sorted(PARTNER_SCOPES),
                secret_hash=self.secret_hash,
            )
        await platforms.unregister_platform(graph, "initech", now)
        granted = self.client.post(
            "/v1/people/per_self/consents",
            json={"audience": "acme", "scopes": ["profile", "contacts"], "purpose": "Share"},
            headers=self.headers[Kind.SELF],
        )
        assert granted.status_code == 201, granted.text
        world.consent = granted.json()["consent"]["id"]
        await graph.query(
            "CREATE (:StatusList {id: $id, size: 8, created_at: datetime()})",
            {"id": world.status_list},
            write=True,
        )
        if with_import:
            pushed = self.client.post(
                "/v1/imports",
                json={"bundle": self.partner.v2(jti="bdl_matrix")},
                headers=self.headers[Kind.PARTNER_CONSENTED],
            )
            assert pushed.status_code == 201, pushed.text
            world.import_id = pushed.json()["import_id"]
        self._admin(Kind.PROGRAM_ADMIN, [world.program])
        self._admin(Kind.OTHER_PROGRAM_ADMIN, [world.other_program])
        self._admin(Kind.OPERATOR, ["*"])
        return world

    async def start(self) -> None:
        for kind in (Kind.PARTNER_CONSENTED, Kind.PARTNER_UNCONSENTED, Kind.PARTNER_UNREGISTERED):
            self._partner(kind)
        await self.build(with_import=True)


def _verdict(operation: str, kind: Kind, answer: Answer, response: httpx.Response) -> str | None:
    """None when the response is the policy's answer; otherwise what differs."""
    status = response.status_code
    if operation == "oauth-token":
        wanted = TOKEN_ENDPOINT.get(kind, 400)
        return None if status == wanted else f"wanted {wanted}, got {status} {response.text}"
    if answer is Answer.ALLOW:
        allowed = ALLOWED_STATUSES.get(operation)
        ok = status in allowed if allowed else 200 <= status < 300
        return None if ok else f"wanted it allowed, got {status} {response.text[:300]}"
    problem_type = ""
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        problem_type = response.json().get("type", "")
    if status == answer.status and problem_type == PROBLEMS + str(answer.problem_type):
        return None
    return f"wanted {answer.value}, got {status} {problem_type or response.text[:200]}"


def test_every_operation_has_a_rule_and_every_rule_an_operation() -> None:
    listed = {operation: (method, path) for operation, method, path in operations()}
    assert sorted(set(listed) - set(POLICY)) == [], "operations missing from app/policy.py"
    assert sorted(set(POLICY) - set(listed)) == [], "rules for operations that do not exist"
    for operation, (method, path) in listed.items():
        assert (POLICY[operation].method, POLICY[operation].path) == (method, path), operation


async def test_the_authorization_matrix(
    client: TestClient, graph: Graph, settings: Settings, partner: FakePartner
) -> None:
    situation = Situation(client, graph, settings, partner)
    await situation.start()
    world = situation.world
    cases = [(op, method, path, kind) for op, method, path in operations() for kind in Kind]
    # Read-only cases first, all on the first situation (the one with the pushed import).
    cases.sort(key=lambda case: case[1] != "GET")
    failures: list[str] = []
    tally: Counter[str] = Counter()
    dirty = False
    for operation, method, template, kind in cases:
        rule = POLICY.get(operation)
        if rule is None:
            failures.append(f"{operation}: no rule in app/policy.py")
            continue
        if dirty:
            await situation.build()
            dirty = False
        probe = PROBES.get(operation)
        request = probe(kind, world) if probe else {}
        response = client.request(
            method,
            _path(template, world),
            headers={**situation.headers[kind], **request.pop("headers", {})},
            **request,
        )
        answer = expected(rule, kind, world)
        tally[answer.value] += 1
        problem = _verdict(operation, kind, answer, response)
        if problem is not None:
            failures.append(f"{operation} as {kind.value}: {problem}")
        dirty = method != "GET" and response.status_code < 300
    print(f"authorization matrix: {len(cases)} cases, {dict(sorted(tally.items()))}")
    assert len(cases) == len(operations()) * len(Kind)
    assert failures == [], "\n".join(failures)
