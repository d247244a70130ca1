"""Object-level authorization for the relationship-graph routes: who reaches what.

- A partner platform reaches nothing here (403): partners get people's data only as consented
  bundles.
- A person (mentee or mentor token; person id = token subject) reaches their own profile,
  contacts, network and mentorship list, and the mentorships they take part in (as mentor or
  mentee) with their sessions. A mentor does not reach their mentee's profile or contacts.
- An admin reaches the programs they administer (`programs` claim; `["*"]` is every program),
  their cohorts, mentorships and sessions, and the people who are members of those cohorts.
- Whatever a caller does not reach answers 404 with exactly the problem a missing item gives,
  so probing ids across people reveals nothing. 403 is kept for what the caller's role may never
  do, or for an action on an item they can already see (e.g. a mentee accepting their own
  proposal).

Choosing another person (a contact to add, the other side of a proposal) needs less than reach:
they must be discoverable, or already connected to the person acting (KNOWS either way, or a
mentorship together); admins may also choose people in their programs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.errors import ForbiddenError, NotFoundError, UnauthorizedError, UnprocessableError
from auth.principals import Principal
from auth.security import CurrentPrincipal
from graph import mentorships, people, programs, sessions
from graph.db import Graph
from graph.errors import no_such
from graph.mentorships import MentorshipStatus, Proposer, can_transition
from graph.people import PersonFacts
from graph.values import Row

ACCESS_PROBLEMS = (UnauthorizedError, ForbiddenError, NotFoundError, UnprocessableError)
"""What every route here may answer: no token, a forbidden role, something out of reach, bad input."""


async def require_actor(principal: CurrentPrincipal) -> Principal:
    """Anyone but a partner platform client."""
    if principal.is_partner:
        raise ForbiddenError(
            "Partner platforms reach people's data only through consented bundles."
        )
    return principal


Actor = Annotated[Principal, Depends(require_actor)]


def admin_scope(principal: Principal) -> frozenset[str] | None:
    """The programs an admin's lists are limited to; None means every program."""
    return None if principal.administers_all else principal.programs


def _reaches(principal: Principal, person_id: str, facts: PersonFacts) -> bool:
    if principal.person_id is not None:
        return principal.person_id == person_id
    return principal.is_admin and (
        principal.administers_all or any(principal.administers(p) for p in facts.programs)
    )


async def person_in_reach(graph: Graph, principal: Principal, person_id: str) -> None:
    """404 unless the caller may act on this person's own data."""
    facts = await people.person_facts(graph, person_id)
    if facts is None or not _reaches(principal, person_id, facts):
        raise NotFoundError(no_such("person", person_id))


async def person_choosable(
    graph: Graph, principal: Principal, person_id: str, *, by: str | None
) -> None:
    """404 unless `person_id` may be picked by person `by` (or by the admin calling)."""
    facts = await people.person_facts(graph, person_id, viewer_id=by)
    if facts is None:
        raise NotFoundError(no_such("person", person_id))
    if facts.discoverable or facts.connected or by == person_id:
        return
    if principal.is_admin and _reaches(principal, person_id, facts):
        return
    raise NotFoundError(no_such("person", person_id))


async def program_in_reach(graph: Graph, principal: Principal, program_id: str) -> Row:
    program = await programs.get_program(graph, program_id)
    if program is None or not principal.administers(program_id):
        raise NotFoundError(no_such("program", program_id))
    return program


async def cohort_in_reach(
    graph: Graph, principal: Principal, cohort_id: str, *, members: bool = True
) -> Row:
    """The cohort, for admins of its program and (when `members`) for its members."""
    cohort = await programs.get_cohort(graph, cohort_id)
    if cohort is not None:
        if principal.administers(cohort["program_id"]):
            return cohort
        person_id = principal.person_id
        if members and person_id and await programs.is_member(graph, person_id, cohort_id):
            return cohort
    raise NotFoundError(no_such("cohort", cohort_id))


def _party_or_admin(principal: Principal, row: Row) -> bool:
    return principal.person_id in (row["mentor_id"], row["mentee_id"]) or principal.administers(
        row["program_id"]
    )


async def mentorship_in_reach(graph: Graph, principal: Principal, mentorship_id: str) -> Row:
    """The mentorship, for its mentor, its mentee and admins of its program."""
    mentorship = await mentorships.get_mentorship(graph, mentorship_id)
    if mentorship is None or not _party_or_admin(principal, mentorship):
        raise NotFoundError(no_such("mentorship", mentorship_id))
    return mentorship


async def session_in_reach(graph: Graph, principal: Principal, session_id: str) -> Row:
    """The session, for the mentor and mentee of its mentorship and admins of its program."""
    context = await sessions.session_context(graph, session_id)
    if context is None or not _party_or_admin(principal, context):
        raise NotFoundError(no_such("session", session_id))
    session: Row = context["session"]
    return session


def proposer(principal: Principal, *, mentor_id: str, mentee_id: str) -> Proposer:
    """Who is proposing: a person must be one of the two sides (403 otherwise)."""
    if principal.is_admin:
        return Proposer.ADMIN
    if principal.person_id == mentor_id:
        return Proposer.MENTOR
    if principal.person_id == mentee_id:
        return Proposer.MENTEE
    raise ForbiddenError("A person may propose only a mentorship they take part in.")


def check_backdated_start(principal: Principal, mentorship: Row) -> None:
    """Only an admin of the program backdates a mentorship's start (entering history)."""
    if not principal.administers(mentorship["program_id"]):
        raise ForbiddenError("Only an admin of the program can set started_at.")


def check_transition(principal: Principal, mentorship: Row, target: MentorshipStatus) -> None:
    """Accepting a proposal is for the side that did not propose (the mentor when an admin did)
    or an admin of the program; any other legal change is for either side or an admin. Illegal
    changes are left for the state machine to refuse with 409."""
    current = MentorshipStatus(mentorship["status"])
    if not can_transition(current, target) or principal.administers(mentorship["program_id"]):
        return
    if current is MentorshipStatus.PROPOSED and target is MentorshipStatus.ACTIVE:
        mentor_proposed = mentorship["proposed_by"] == Proposer.MENTOR
        acceptor = mentorship["mentee_id"] if mentor_proposed else mentorship["mentor_id"]
        if principal.person_id != acceptor:
            side = "mentee" if mentor_proposed else "mentor"
            raise ForbiddenError(
                f"Only the {side} or an admin of the program can accept this proposal."
            )
