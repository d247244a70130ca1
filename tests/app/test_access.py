"""app/access.py: the decisions that need no database (who accepts a proposal, admin scopes)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.access import admin_scope, check_transition
from app.errors import ForbiddenError
from app.models.mentorships import Mentorship
from auth.principals import Principal, Role
from graph.mentorships import MentorshipStatus, Proposer

S = MentorshipStatus


def _principal(subject: str, role: Role, programs: tuple[str, ...] = ()) -> Principal:
    return Principal(subject=subject, role=role, token_id="t", programs=frozenset(programs))


MENTOR = _principal("m", Role.MENTOR)
MENTEE = _principal("e", Role.MENTEE)
ADMIN = _principal("a", Role.ADMIN, ("prg_1",))
OTHER_ADMIN = _principal("a2", Role.ADMIN, ("prg_2",))
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _mentorship(status: S, proposed_by: Proposer) -> Mentorship:
    return Mentorship(
        id="mnt_1",
        status=status,
        proposed_by=proposed_by,
        mentor_id="m",
        mentee_id="e",
        cohort_id="coh_1",
        program_id="prg_1",
        goals=[],
        proposed_at=NOW,
        started_at=None,
        ended_at=None,
        end_reason=None,
        pause_reason=None,
        updated_at=NOW,
    )


def test_admin_scope() -> None:
    assert admin_scope(_principal("op", Role.ADMIN, ("*",))) is None
    assert admin_scope(ADMIN) == frozenset({"prg_1"})


@pytest.mark.parametrize(
    ("proposed_by", "principal", "allowed"),
    [
        (Proposer.MENTEE, MENTOR, True),
        (Proposer.MENTEE, MENTEE, False),
        (Proposer.MENTOR, MENTEE, True),
        (Proposer.MENTOR, MENTOR, False),
        (Proposer.ADMIN, MENTOR, True),
        (Proposer.ADMIN, MENTEE, False),
        # Accepting makes the proposed person a member: nobody accepts on their behalf.
        (Proposer.MENTEE, ADMIN, False),
        (Proposer.ADMIN, ADMIN, False),
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
