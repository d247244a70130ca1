"""app/access.py: the decisions that need no database (who proposes, who accepts, scopes)."""

from __future__ import annotations

from typing import Any

import pytest

from app.access import admin_scope, check_transition, proposer, require_actor
from app.errors import ForbiddenError
from auth.principals import Principal, Role
from graph.mentorships import MentorshipStatus, Proposer

S = MentorshipStatus


def _principal(subject: str, role: Role, programs: tuple[str, ...] = ()) -> Principal:
    return Principal(subject=subject, role=role, token_id="t", programs=frozenset(programs))


MENTOR = _principal("m", Role.MENTOR)
MENTEE = _principal("e", Role.MENTEE)
ADMIN = _principal("a", Role.ADMIN, ("prg_1",))
OTHER_ADMIN = _principal("a2", Role.ADMIN, ("prg_2",))
PARTNER = Principal(subject="c", role=Role.PARTNER, token_id="t", platform_id="p")


def _mentorship(status: S, proposed_by: Proposer) -> dict[str, Any]:
    return {
        "status": status.value,
        "proposed_by": proposed_by.value,
        "mentor_id": "m",
        "mentee_id": "e",
        "program_id": "prg_1",
    }


async def test_partners_are_no_actors() -> None:
    with pytest.raises(ForbiddenError):
        await require_actor(PARTNER)
    assert await require_actor(MENTEE) is MENTEE


def test_admin_scope() -> None:
    assert admin_scope(_principal("op", Role.ADMIN, ("*",))) is None
    assert admin_scope(ADMIN) == frozenset({"prg_1"})


def test_proposer() -> None:
    assert proposer(MENTOR, mentor_id="m", mentee_id="x") is Proposer.MENTOR
    assert proposer(MENTEE, mentor_id="x", mentee_id="e") is Proposer.MENTEE
    assert proposer(ADMIN, mentor_id="x", mentee_id="y") is Proposer.ADMIN
    with pytest.raises(ForbiddenError):
        proposer(MENTEE, mentor_id="x", mentee_id="y")


@pytest.mark.parametrize(
    ("proposed_by", "principal", "allowed"),
    [
        (Proposer.MENTEE, MENTOR, True),
        (Proposer.MENTEE, MENTEE, False),
        (Proposer.MENTOR, MENTEE, True),
        (Proposer.MENTOR, MENTOR, False),
        (Proposer.ADMIN, MENTOR, True),
        (Proposer.ADMIN, MENTEE, False),
        (Proposer.MENTEE, ADMIN, True),
    ],
)
def test_accepting(proposed_by: Proposer, principal: Principal, allowed: bool) -> None:
    row = _mentorship(S.PROPOSED, proposed_by)
    if allowed:
        check_transition(principal, row, S.ACTIVE)
    else:
        with pytest.raises(ForbiddenError):
            check_transition(principal, row, S.ACTIVE)


@pytest.mark.parametrize(
    ("current", "target"),
    [(S.PROPOSED, S.DECLINED), (S.ACTIVE, S.PAUSED), (S.PAUSED, S.ACTIVE), (S.ACTIVE, S.ABANDONED)],
)
def test_either_side_moves_a_mentorship_otherwise(current: S, target: S) -> None:
    for principal in (MENTOR, MENTEE):
        check_transition(principal, _mentorship(current, Proposer.MENTEE), target)


def test_illegal_changes_are_left_to_the_state_machine() -> None:
    # No 403 here: the graph answers 409, which says more.
    check_transition(MENTEE, _mentorship(S.COMPLETED, Proposer.MENTEE), S.ACTIVE)
