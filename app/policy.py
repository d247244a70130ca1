"""The authorization policy: for every operation, who may perform it on which objects.

One `Rule` per OpenAPI operation (keyed by operationId). A rule names

- the *callers* that may attempt it (a person — mentee or mentor —, an admin, a partner
  platform's client; or nobody needs a token at all: `public`), and the partner scope it needs;
- the *reach* that lets a caller act on the object: relationships the affected person accepted
  (being that person; a mentorship they proposed or accepted; membership of a cohort they joined
  by accepting a mentorship or were enrolled in by an admin of that program; a consent they
  granted to the caller's platform), or the caller's own standing (any caller of the role; an
  operator, i.e. an admin of every program).

`decide` turns a rule, a principal and the reach it holds into the answer: no token → 401; a
caller role the rule does not name → 403; a partner without the scope → 403 insufficient-scope;
no reach → 404 exactly as for a missing object (or 403 where the object is no secret, e.g. an
operator-only function). The same `decide` is what the routers enforce (`enforce` for the
caller part, `app/access.py` loaders for the object part) and what the authorization matrix test
(`tests/app/test_policy_matrix.py`) expects, so the table below, the code and the test cannot
drift apart. docs/security.md carries `render_table()` (a test compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from fastapi import Request
from fastapi.routing import APIRoute

from app.errors import NotFoundError
from auth.errors import ForbiddenRoleError, InsufficientScopeError
from auth.principals import Principal, Scope
from auth.security import authenticate_request


class Caller(StrEnum):
    """Who is calling, as far as the policy cares."""

    PERSON = "person"
    ADMIN = "admin"
    PARTNER = "partner"


class Reach(StrEnum):
    """What relates the caller to the object of an operation."""

    ANY = "any"
    """Every caller of a named role (lists are still limited to what they reach)."""
    OPERATOR = "operator"
    """An admin of every program (`programs: ["*"]`)."""
    SELF = "self"
    """The person themselves (token subject = the person's id)."""
    PARTY = "party"
    """The mentor or the mentee of the mentorship (or of the session's mentorship)."""
    MEMBER = "member"
    """A member of the cohort: joined by accepting a mentorship, or enrolled by its program's admin."""
    PROGRAM_ADMIN = "program-admin"
    """An admin of the program: of the object's program, or of a program the person is a member
    of (membership they accepted); operators administer every program."""
    PLATFORM = "platform"
    """A partner client of the platform the person granted the consent to (or that pushed the
    import)."""


PRINCIPAL_REACHES = frozenset({Reach.ANY, Reach.OPERATOR})
"""Reaches that depend on the caller alone; the others need the object loaded."""


class Answer(StrEnum):
    """The policy's answer, with the status and problem type a refusal carries."""

    ALLOW = "allow"
    UNAUTHENTICATED = "401 unauthorized"
    INVALID_TOKEN = "401 invalid-token"  # noqa: S105 - a problem type, not a secret
    FORBIDDEN = "403 forbidden"
    INSUFFICIENT_SCOPE = "403 insufficient-scope"
    CONSENT_REQUIRED = "403 consent-required"
    HIDDEN = "404 not-found"

    @property
    def status(self) -> int:
        return 200 if self is Answer.ALLOW else int(self.value.split()[0])

    @property
    def problem_type(self) -> str | None:
        return None if self is Answer.ALLOW else self.value.split()[1]


@dataclass(frozen=True)
class Rule:
    operation: str
    method: str
    path: str
    callers: frozenset[Caller] = frozenset()
    reach: tuple[Reach, ...] = ()
    scope: Scope | None = None
    forbidden_for: frozenset[Caller] = frozenset()
    """Callers that get `refusal` (a 403) without reach, where the object is no secret to them;
    every other caller without reach gets 404, exactly as for a missing object."""
    refusal: Answer = Answer.FORBIDDEN
    public: bool = False
    note: str = ""
    own_auth: bool = field(default=False, compare=False)
    """The route authenticates itself (the metrics scrape token); `enforce` leaves it alone."""


def _rule(
    operation: str,
    route: str,
    callers: str = "",
    reach: str = "",
    *,
    scope: Scope | None = None,
    forbidden_for: str = "",
    refusal: Answer = Answer.FORBIDDEN,
    note: str = "",
    own_auth: bool = False,
) -> Rule:
    method, path = route.split(" ", 1)
    return Rule(
        operation=operation,
        method=method,
        path=path,
        callers=frozenset(Caller(c) for c in callers.split()),
        reach=tuple(Reach(r) for r in reach.split()),
        scope=scope,
        forbidden_for=frozenset(Caller(c) for c in forbidden_for.split()),
        refusal=refusal,
        public=not callers,
        note=note,
        own_auth=own_auth,
    )


P, A, X = "person", "admin", "partner"
PA = f"{P} {A}"
PEOPLE = "/v1/people/{person_id}"

RULES: tuple[Rule, ...] = (
    # Public: no token needed.
    _rule("health-live", "GET /healthz"),
    _rule("health-ready", "GET /readyz"),
    _rule("wellknown-jwks", "GET /.well-known/jwks.json"),
    _rule(
        "wellknown-bundle-schema",
        "GET /schemas/bundle/v{version}.json",
        note="the JSON Schema a bundle names; no personal data",
    ),
    _rule("oauth-token", "POST /oauth/token", note="client credentials of an enabled client"),
    _rule("consents-status", "GET /v1/consents/{consent_id}/status", note="no personal data"),
    _rule(
        "mypage-dev-people",
        "GET /v1/dev/people",
        note="development only (404 in production): the demo people one may sign in as",
    ),
    _rule(
        "mypage-dev-sign-in",
        "POST /v1/dev/sign-in",
        note="development only (404 in production): a token for a demo person, nobody else",
    ),
    # Operator functions: global partner settings and the logs spanning every program.
    _rule(
        "observability-metrics",
        "GET /metrics",
        A,
        "any",
        note="or the static scrape token",
        own_auth=True,
    ),
    _rule("audit-list", "GET /v1/admin/audit", A, "operator", forbidden_for=A),
    _rule("platforms-list", "GET /v1/admin/platforms", A, "operator", forbidden_for=A),
    _rule("platforms-create", "POST /v1/admin/platforms", A, "operator", forbidden_for=A),
    _rule("platforms-get", "GET /v1/admin/platforms/{platform_id}", A, "operator", forbidden_for=A),
    _rule(
        "platforms-update",
        "PATCH /v1/admin/platforms/{platform_id}",
        A,
        "operator",
        forbidden_for=A,
    ),
    _rule(
        "platforms-delete",
        "DELETE /v1/admin/platforms/{platform_id}",
        A,
        "operator",
        forbidden_for=A,
        note="disables the platform's clients for good",
    ),
    _rule("webhooks-list", "GET /v1/admin/webhook-deliveries", A, "operator", forbidden_for=A),
    _rule("programs-create", "POST /v1/programs", A, "operator", forbidden_for=A),
    # Programs, cohorts and program metrics.
    _rule("programs-list", "GET /v1/programs", A, "any", note="the programs they administer"),
    _rule("cohorts-list", "GET /v1/programs/{program_id}/cohorts", A, "program-admin"),
    _rule("cohorts-create", "POST /v1/programs/{program_id}/cohorts", A, "program-admin"),
    _rule(
        "preferences-program-defaults",
        "PUT /v1/programs/{program_id}/preference-defaults",
        A,
        "program-admin",
    ),
    _rule("cohorts-get", "GET /v1/cohorts/{cohort_id}", PA, "member program-admin"),
    _rule("metrics-outcomes", "GET /v1/cohorts/{cohort_id}/outcomes", A, "program-admin"),
    _rule(
        "cohorts-measure",
        "POST /v1/cohorts/{cohort_id}/outcomes/{key}/measurements",
        PA,
        "member program-admin",
        note="a member records only their own progress (403 otherwise)",
    ),
    _rule("metrics-weekly", "GET /v1/metrics/weekly", A, "any", note="their programs only"),
    _rule("metrics-network", "GET /v1/metrics/network", A, "any", note="their programs only"),
    _rule("metrics-fast_fail", "GET /v1/metrics/fast-fail", A, "any", note="their programs only"),
    # People and their rolodex.
    _rule("people-list", "GET /v1/people", A, "any", note="members of their programs only"),
    _rule(
        "people-create",
        "POST /v1/people",
        PA,
        "self program-admin",
        note="a person creates only their own profile (id = token subject); an admin enrols "
        "the new person into a cohort of their program (`cohort_id`; operators may omit it)",
    ),
    _rule("people-me", "GET /v1/me", P, "self", note="the caller's own profile"),
    _rule("people-get", f"GET {PEOPLE}", PA, "self program-admin"),
    _rule("people-update", f"PATCH {PEOPLE}", PA, "self program-admin"),
    _rule("people-erase", f"DELETE {PEOPLE}", PA, "self program-admin"),
    _rule("contacts-list", f"GET {PEOPLE}/contacts", PA, "self program-admin"),
    _rule(
        "contacts-create",
        f"POST {PEOPLE}/contacts",
        PA,
        "self program-admin",
        note="the contact must be discoverable or already connected to the person",
    ),
    _rule("contacts-vcard", f"GET {PEOPLE}/contacts.vcf", PA, "self program-admin"),
    _rule("contacts-import-vcard", f"POST {PEOPLE}/contacts.vcf", PA, "self program-admin"),
    _rule("contacts-update", f"PATCH {PEOPLE}/contacts/{{contact_id}}", PA, "self program-admin"),
    _rule("contacts-delete", f"DELETE {PEOPLE}/contacts/{{contact_id}}", PA, "self program-admin"),
    _rule("network-get", f"GET {PEOPLE}/network", PA, "self program-admin"),
    _rule("matching-list", f"GET {PEOPLE}/matches", PA, "self program-admin"),
    _rule("matching-exclusions", f"GET {PEOPLE}/exclusions", PA, "self program-admin"),
    _rule("matching-exclude", f"POST {PEOPLE}/exclusions/{{other_id}}", PA, "self program-admin"),
    _rule(
        "matching-unexclude",
        f"DELETE {PEOPLE}/exclusions/{{other_id}}",
        PA,
        "self program-admin",
    ),
    _rule(
        "calendar-status",
        f"GET {PEOPLE}/calendar-feed",
        P,
        "self",
        note="only the person manages their calendar subscription",
    ),
    _rule(
        "mypage-directory",
        "GET /v1/platforms",
        PA,
        "any",
        note="registered partner platforms' ids and names only, to consent to",
    ),
    _rule("calendar-rotate", f"POST {PEOPLE}/calendar-feed", P, "self"),
    _rule("calendar-revoke", f"DELETE {PEOPLE}/calendar-feed", P, "self"),
    _rule(
        "calendar-feed",
        "GET /v1/calendar-feeds/{token}.ics",
        note="the unguessable token in the URL is the credential (404 when unknown)",
    ),
    _rule("preferences-get", f"GET {PEOPLE}/preferences", PA, "self operator"),
    _rule("preferences-put", f"PUT {PEOPLE}/preferences", PA, "self"),
    _rule("preferences-effective", f"GET {PEOPLE}/preferences/effective", PA, "self operator"),
    # Mentorships and sessions.
    _rule(
        "mentorships-propose",
        "POST /v1/mentorships",
        PA,
        "party program-admin",
        forbidden_for=P,
        note="a person proposes only as one side (403 otherwise), in a program the mentee is a "
        "member of; an admin only in a cohort of their program (404 otherwise); the other side "
        "must be discoverable or connected; nobody joins the cohort until the proposal is "
        "accepted",
    ),
    _rule("mentorships-list", f"GET {PEOPLE}/mentorships", PA, "self program-admin"),
    _rule(
        "imported-list",
        f"GET {PEOPLE}/imported-records",
        PA,
        "self program-admin",
        note="records imported from other platforms, with their provenance",
    ),
    _rule("mentorships-get", "GET /v1/mentorships/{mentorship_id}", PA, "party program-admin"),
    _rule(
        "mentorships-transition",
        "PATCH /v1/mentorships/{mentorship_id}",
        PA,
        "party program-admin",
        note="accepting a proposal is only for the proposed person (the mentor when an admin "
        "proposed), 403 for anyone else",
    ),
    _rule(
        "sessions-list",
        "GET /v1/mentorships/{mentorship_id}/sessions",
        PA,
        "party program-admin",
    ),
    _rule(
        "sessions-create",
        "POST /v1/mentorships/{mentorship_id}/sessions",
        PA,
        "party program-admin",
    ),
    _rule("sessions-update", "PATCH /v1/sessions/{session_id}", PA, "party program-admin"),
    # Consents, bundles and imports: the person's grants to platforms.
    _rule(
        "consents-grant",
        f"POST {PEOPLE}/consents",
        PA,
        "self operator",
        note="an operator only records a grant (`admin-recorded`, with evidence)",
    ),
    _rule(
        "consents-list",
        f"GET {PEOPLE}/consents",
        "person admin partner",
        "self operator platform",
        scope=Scope.CONSENTS_READ,
        note="a partner sees only the grants the person made to its own platform (possibly none)",
    ),
    _rule(
        "consents-get",
        "GET /v1/consents/{consent_id}",
        "person admin partner",
        "self operator platform",
        scope=Scope.CONSENTS_READ,
    ),
    _rule("consents-revoke", "DELETE /v1/consents/{consent_id}", PA, "self operator"),
    _rule(
        "bundles-export",
        f"POST {PEOPLE}/bundles",
        "person partner",
        "self platform",
        scope=Scope.BUNDLES_READ,
        forbidden_for=X,
        refusal=Answer.CONSENT_REQUIRED,
        note="a partner only for its own platform, within an active consent",
    ),
    _rule("bundles-download", "GET /v1/me/bundle", P, "self", note="the caller's own bundle"),
    _rule(
        "imports-create",
        "POST /v1/imports",
        "person partner",
        "any",
        scope=Scope.IMPORTS_WRITE,
        note="a person imports only their own bundle",
    ),
    _rule(
        "imports-get",
        "GET /v1/imports/{import_id}",
        "person admin partner",
        "self operator platform",
    ),
    _rule(
        "imports-nonce",
        "POST /v1/imports/nonce",
        P,
        "self",
        note="a nonce for the caller's own presentation (docs/credentials.md)",
    ),
    # Credentials (SD-JWT VC): the person's own; status lists and metadata are public documents.
    _rule("credentials-issue", "POST /v1/me/credentials", P, "self"),
    _rule("credentials-list", "GET /v1/me/credentials", P, "self"),
    _rule("credentials-revoke", "DELETE /v1/me/credentials/{credential_id}", P, "self"),
    _rule(
        "credentials-status-list",
        "GET /v1/status-lists/{list_id}",
        note="a Token Status List: any verifier reads it",
    ),
    _rule("credentials-issuer-metadata", "GET /.well-known/jwt-vc-issuer"),
    _rule("credentials-type-metadata", "GET /v1/credential-types/portable-profile"),
)

POLICY: dict[str, Rule] = {rule.operation: rule for rule in RULES}


def caller_of(principal: Principal) -> Caller:
    if principal.is_partner:
        return Caller.PARTNER
    return Caller.ADMIN if principal.is_admin else Caller.PERSON


def principal_reaches(principal: Principal) -> frozenset[Reach]:
    """The reaches a caller holds by itself, whatever the object."""
    return frozenset({Reach.ANY, Reach.OPERATOR} if principal.administers_all else {Reach.ANY})


def admits(rule: Rule, principal: Principal | None) -> Answer:
    """The caller part of the rule: ALLOW when this caller may attempt the operation at all."""
    if rule.public:
        return Answer.ALLOW
    if principal is None:
        return Answer.UNAUTHENTICATED
    if caller_of(principal) not in rule.callers:
        return Answer.FORBIDDEN
    if principal.is_partner and rule.scope is not None and rule.scope not in principal.scopes:
        return Answer.INSUFFICIENT_SCOPE
    return Answer.ALLOW


def decide(rule: Rule, principal: Principal | None, reaches: Iterable[Reach] = ()) -> Answer:
    """The policy's answer for `principal` (None: no token) holding `reaches` to the object."""
    admitted = admits(rule, principal)
    if admitted is not Answer.ALLOW or rule.public or principal is None:
        return admitted
    held = principal_reaches(principal) | frozenset(reaches)
    if any(reach in held for reach in rule.reach):
        return Answer.ALLOW
    return rule.refusal if caller_of(principal) in rule.forbidden_for else Answer.HIDDEN


def needs_object(rule: Rule) -> bool:
    """Whether deciding needs the object's relationships (not the caller alone)."""
    return any(reach not in PRINCIPAL_REACHES for reach in rule.reach)


def operation_id(route: APIRoute) -> str:
    """Stable operation ids: `{tag}-{route name}`, e.g. `people-get` (the app's OpenAPI ids)."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}"


def rule_for(request: Request) -> Rule:
    """The rule of the operation being served (a route without one is a programming error)."""
    route = request.scope.get("route")
    operation = operation_id(route) if isinstance(route, APIRoute) else None
    rule = POLICY.get(operation or "")
    if rule is None:
        raise LookupError(f"No authorization rule for operation {operation!r}.")
    return rule


async def enforce(request: Request) -> None:
    """Router dependency: the caller part of the rule of every operation, before the handler.

    Authenticates when the rule is not public (401), checks the caller's role (403) and scope
    (403 insufficient-scope), and decides rules that need no object (e.g. operator-only: 403).
    Rules with object reach are finished by the loaders of `app/access.py`.
    """
    rule = rule_for(request)
    if rule.public or rule.own_auth:
        return
    principal = await authenticate_request(request)
    answer = admits(rule, principal)
    if answer is Answer.ALLOW and not needs_object(rule):
        answer = decide(rule, principal)
    if answer is Answer.ALLOW:
        return
    if answer is Answer.FORBIDDEN:
        raise ForbiddenRoleError(_forbidden_detail(rule, principal))
    if answer is Answer.INSUFFICIENT_SCOPE:
        assert rule.scope is not None
        raise InsufficientScopeError([rule.scope.value])
    raise NotFoundError(f"No resource at {request.url.path}.")


def _forbidden_detail(rule: Rule, principal: Principal) -> str:
    if caller_of(principal) not in rule.callers:
        names = " or ".join(sorted(_CALLER_NAMES[c] for c in rule.callers))
        return f"Only {names} may call this operation."
    return "Only operators (admins of every program) may call this operation."


_CALLER_NAMES = {
    Caller.PERSON: "signed-in people (mentees and mentors)",
    Caller.ADMIN: "admins",
    Caller.PARTNER: "partner platform clients",
}


def render_table() -> str:
    """The policy as the Markdown table docs/security.md carries."""
    lines = [
        "| operation | method and path | callers | reach (any one) | without reach | notes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for rule in sorted(RULES, key=lambda r: (r.path, r.method)):
        if rule.public:
            callers, reach, otherwise = "anyone, no token", "—", "—"
        else:
            callers = ", ".join(sorted(c.value for c in rule.callers))
            if rule.scope is not None:
                callers += f" (partners: `{rule.scope.value}`)"
            reach = ", ".join(r.value for r in rule.reach)
            otherwise = "—" if set(rule.reach) <= PRINCIPAL_REACHES - {Reach.OPERATOR} else "404"
            if rule.forbidden_for:
                who = ", ".join(sorted(c.value for c in rule.forbidden_for))
                slug = rule.refusal.problem_type
                otherwise = (
                    f"403 `{slug}` ({who}), else 404"
                    if rule.forbidden_for != rule.callers
                    else f"403 `{slug}`"
                )
        lines.append(
            f"| `{rule.operation}` | `{rule.method} {rule.path}` | {callers} | {reach} | "
            f"{otherwise} | {rule.note} |"
        )
    return "\n".join(lines) + "\n"


TABLE_START, TABLE_END = "<!-- policy-table:start -->\n", "<!-- policy-table:end -->"


def with_table(document: str) -> str:
    """`document` with the text between the policy table markers replaced by the table."""
    head, start, rest = document.partition(TABLE_START)
    _, end, tail = rest.partition(TABLE_END)
    if not start or not end:
        raise ValueError("the document lacks the policy table markers")
    return head + start + render_table() + end + tail


if __name__ == "__main__":  # pragma: no cover - `python -m app.policy [docs/security.md]`
    import sys

    if len(sys.argv) > 1:
        path = sys.argv[1]
        with open(path, encoding="utf-8") as source:
            updated = with_table(source.read())
        with open(path, "w", encoding="utf-8") as target:
            target.write(updated)
    else:
        print(render_table(), end="")
