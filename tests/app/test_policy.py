"""app/policy.py: the decisions themselves (no database), and docs/security.md's copy of them."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

from app.main import create_app
from app.policy import POLICY, Answer, Caller, Reach, decide, operation_id, render_table, with_table
from auth.principals import Principal, Role

SECURITY_MD = Path(__file__).resolve().parents[2] / "docs" / "security.md"

PERSON = Principal(subject="per_1", role=Role.MENTEE, token_id="t")
ADMIN = Principal(subject="a", role=Role.ADMIN, token_id="t", programs=frozenset({"prg_1"}))
OPERATOR = Principal(subject="o", role=Role.ADMIN, token_id="t", programs=frozenset({"*"}))
PARTNER = Principal(
    subject="c", role=Role.PARTNER, token_id="t", platform_id="acme", scopes=frozenset()
)


def test_docs_carry_the_policy_table() -> None:
    text = SECURITY_MD.read_text()
    found = re.search(r"<!-- policy-table:start -->\n(.*?)<!-- policy-table:end -->", text, re.S)
    assert found is not None, "docs/security.md lacks the policy table markers"
    assert found.group(1) == render_table(), (
        "docs/security.md's policy table differs from app/policy.py: "
        "run `python -m app.policy docs/security.md`"
    )
    assert with_table(text) == text


def test_every_route_of_the_app_has_a_rule() -> None:
    routes = [
        route
        for route in create_app().routes
        if isinstance(route, APIRoute) and route.include_in_schema
    ]
    missing = sorted(operation_id(route) for route in routes if operation_id(route) not in POLICY)
    assert missing == []


def test_no_token_is_401_and_a_foreign_role_403() -> None:
    rule = POLICY["people-get"]
    assert decide(rule, None) is Answer.UNAUTHENTICATED
    assert decide(rule, PARTNER) is Answer.FORBIDDEN
    assert decide(POLICY["health-live"], None) is Answer.ALLOW


def test_without_reach_it_is_404_unless_the_rule_says_403() -> None:
    assert decide(POLICY["people-get"], PERSON) is Answer.HIDDEN
    assert decide(POLICY["people-get"], PERSON, {Reach.SELF}) is Answer.ALLOW
    assert decide(POLICY["people-get"], ADMIN, {Reach.PROGRAM_ADMIN}) is Answer.ALLOW
    assert decide(POLICY["mentorships-propose"], PERSON) is Answer.FORBIDDEN
    assert decide(POLICY["mentorships-propose"], ADMIN) is Answer.HIDDEN


def test_operator_functions_are_403_for_program_admins() -> None:
    for operation in ("platforms-update", "platforms-list", "webhooks-list", "audit-list"):
        assert decide(POLICY[operation], ADMIN) is Answer.FORBIDDEN
        assert decide(POLICY[operation], OPERATOR) is Answer.ALLOW


def test_partners_need_the_scope_and_their_platform() -> None:
    rule = POLICY["bundles-export"]
    assert decide(rule, PARTNER, {Reach.PLATFORM}) is Answer.INSUFFICIENT_SCOPE
    scoped = Principal(
        subject="c",
        role=Role.PARTNER,
        token_id="t",
        platform_id="acme",
        scopes=frozenset({"bundles:read"}),
    )
    assert decide(rule, scoped, {Reach.PLATFORM}) is Answer.ALLOW
    assert decide(rule, scoped) is Answer.CONSENT_REQUIRED


def test_every_rule_names_callers_or_is_public() -> None:
    for rule in POLICY.values():
        assert rule.public or (rule.callers and rule.reach), rule.operation
        assert rule.forbidden_for <= rule.callers or not rule.forbidden_for
        assert all(isinstance(c, Caller) for c in rule.callers)
