"""Object-level authorization: typed dependencies that load an operation's object or answer 404.

Which caller may act on which object is stated once, in `app/policy.py`; this module works out,
for the object of the request, which of the policy's reaches the caller holds — being the person,
a party to the mentorship, a member of the cohort, an admin of the program — and lets the policy
decide. Handlers receive the loaded object (`ReachedPerson`, `ReachedCohort`,
`ReachedMentorship`, `ReachedSession`, `ReachedProgram`, `ReachedConsent`, `ReachedImport`) and
never branch on roles.

- Whatever a caller does not reach answers 404 with exactly the problem a missing item gives, so
  probing ids across people reveals nothing. 403 is kept for what the caller's role may never do
  (decided by `app.policy.enforce` before the handler), or for an action on an item they can
  already see (e.g. a mentee accepting their own proposal).
- Program admins reach people through memberships the person accepted: enrolment by an admin of
  that program, or a mentorship in its cohort that the person accepted. A proposal grants
  nothing (`graph/mentorships.py`).

Choosing another person (a contact to add, the other side of a proposal) needs less than reach:
they must be discoverable, or already connected to the person acting (KNOWS either way, or a
mentorship together); admins may also choose people in their programs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from app.deps import GraphDep
from app.errors import ForbiddenError, NotFoundError, UnauthorizedError, UnprocessableError
from app.models.mentorships import Mentorship, MentorshipCreate
from app.models.programs import Cohort
from app.models.sessions import Session
from app.policy import Answer, Reach, decide, rule_for
from auth.principals import Principal
from auth.security import CurrentPrincipal
from graph import consents, imports, mentorships, people, programs, sessions
from graph.db import Graph
from graph.errors import no_such
from graph.mentorships import MentorshipStatus, Proposer, can_transition
from graph.people import PersonFacts
from graph.values import Row
from portability.errors import ConsentRequiredError
from portability.vocabulary import ID_PATTERN

ACCESS_PROBLEMS = (UnauthorizedError, ForbiddenError, NotFoundError, UnprocessableError)
"""What every route here may answer: no token, a forbidden role, something out of reach, bad input."""


def admin_scope(principal: Principal) -> frozenset[str] | None:
    """The programs an admin's lists are limited to; None means every program."""
    return None if principal.administers_all else principal.programs


def _admin_of_person(principal: Principal, facts: PersonFacts) -> bool:
    return principal.administers_all or any(principal.administers(p) for p in facts.programs)


def enforce_reach(
    request: Request,
    principal: Principal,
    reaches: set[Reach],
    kind: str,
    key: str,
    *,
    refusal_detail: str | None = None,
) -> None:
    """Raise the policy's refusal for this operation given the `reaches` the caller holds to
    the object (`kind` `key`), or return when it allows."""
    answer = decide(rule_for(request), principal, reaches)
    if answer is Answer.ALLOW:
        return
    if answer is Answer.HIDDEN:
        raise NotFoundError(no_such(kind, key))
    if answer is Answer.CONSENT_REQUIRED:
        raise ConsentRequiredError(refusal_detail or f"Not within a consent for this {kind}.")
    raise ForbiddenError(refusal_detail or f"Not allowed on this {kind}.")


def grant_reaches(
    principal: Principal, person_id: str | None, platform_id: str | None
) -> set[Reach]:
    """The caller's reaches to what a person shares with a platform (a consent grant, a bundle,
    an import): the person themselves, and the partner of that platform. Nobody reaches what an
    erased person (`person_id` None) left behind, not even an operator (the caller holds OPERATOR
    by itself, so the loaders answer 404 for those before asking the policy)."""
    reaches: set[Reach] = set()
    if person_id is not None and principal.person_id == person_id:
        reaches.add(Reach.SELF)
    if principal.is_partner and platform_id is not None and principal.platform_id == platform_id:
        reaches.add(Reach.PLATFORM)
    return reaches


async def reached_consent(
    consent_id: Annotated[str, Path(pattern=ID_PATTERN)],
    request: Request,
    principal: CurrentPrincipal,
    graph: GraphDep,
) -> Row:
    """The path's consent grant: for the person who made it, operators and (where the policy
    says) the partner it was granted to; 404 for anyone else and for an erased person's grant."""
    row = await consents.get_consent(graph, consent_id)
    if row is None or row["person_id"] is None:
        raise NotFoundError(no_such("consent", consent_id))
    reaches = grant_reaches(principal, row["person_id"], row["audience"])
    enforce_reach(request, principal, reaches, "consent", consent_id)
    return row


async def reached_import(
    import_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$")],
    request: Request,
    principal: CurrentPrincipal,
    graph: GraphDep,
) -> Row:
    """The path's applied import: for the person it was for, the platform that pushed it and
    operators."""
    row = await imports.get_import(graph, import_id)
    if row is None:
        raise NotFoundError(no_such("import", import_id))
    reaches = grant_reaches(principal, row["person_id"], row["platform_id"])
    enforce_reach(request, principal, reaches, "import", import_id)
    return row


@dataclass(frozen=True)
class PersonRef:
    """A person the caller reaches for this operation (the id; `facts` when they were loaded)."""

    id: str
    facts: PersonFacts | None = None


async def reached_person(
    person_id: str, request: Request, principal: CurrentPrincipal, graph: GraphDep
) -> PersonRef:
    """The path's person, or 404 unless the policy lets the caller act on them."""
    return await reach_person(request, principal, graph, person_id)


async def reach_person(
    request: Request, principal: Principal, graph: Graph, person_id: str
) -> PersonRef:
    """`reached_person` for routes that declare the path parameter themselves."""
    reaches: set[Reach] = set()
    facts = None
    if principal.person_id == person_id:
        reaches.add(Reach.SELF)
    elif principal.is_admin:
        facts = await people.person_facts(graph, person_id)
        if facts is not None and _admin_of_person(principal, facts):
            reaches.add(Reach.PROGRAM_ADMIN)
    enforce_reach(request, principal, reaches, "person", person_id)
    return PersonRef(person_id, facts)


async def person_in_reach(graph: Graph, principal: Principal, person_id: str) -> None:
    """404 unless the caller is the person or an admin of a program they are a member of (for a
    person named in a body or query, beside the operation's own object)."""
    if principal.person_id == person_id:
        return
    facts = await people.person_facts(graph, person_id) if principal.is_admin else None
    if facts is None or not _admin_of_person(principal, facts):
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
    if principal.is_admin and _admin_of_person(principal, facts):
        return
    raise NotFoundError(no_such("person", person_id))


@dataclass(frozen=True)
class ProgramRef:
    """A program the caller reaches for this operation."""

    id: str


async def reached_program(
    program_id: str, request: Request, principal: CurrentPrincipal, graph: GraphDep
) -> ProgramRef:
    """The path's program, for its admins."""
    return await reach_program(request, principal, graph, program_id)


async def reach_program(
    request: Request, principal: Principal, graph: Graph, program_id: str
) -> ProgramRef:
    """`reached_program` for routes that declare the path parameter themselves."""
    row = await programs.get_program(graph, program_id)
    if row is None:
        raise NotFoundError(no_such("program", program_id))
    reaches = {Reach.PROGRAM_ADMIN} if principal.administers(program_id) else set()
    enforce_reach(request, principal, reaches, "program", program_id)
    return ProgramRef(program_id)


async def _cohort_with_reaches(
    graph: Graph, principal: Principal, cohort_id: str
) -> tuple[Cohort, set[Reach]]:
    """The cohort (404 when there is none) and the caller's reaches to it: admin of its program,
    or member."""
    row = await programs.get_cohort(graph, cohort_id)
    if row is None:
        raise NotFoundError(no_such("cohort", cohort_id))
    cohort = Cohort.model_validate(row)
    if principal.administers(cohort.program_id):
        return cohort, {Reach.PROGRAM_ADMIN}
    person_id = principal.person_id
    if person_id and await programs.is_member(graph, person_id, cohort.id):
        return cohort, {Reach.MEMBER}
    return cohort, set()


async def reached_cohort(
    cohort_id: str, request: Request, principal: CurrentPrincipal, graph: GraphDep
) -> Cohort:
    """The path's cohort, for the admins of its program and (where the policy says) its members."""
    cohort, reaches = await _cohort_with_reaches(graph, principal, cohort_id)
    enforce_reach(request, principal, reaches, "cohort", cohort_id)
    return cohort


async def cohort_in_reach(
    graph: Graph, principal: Principal, cohort_id: str, *, members: bool = True
) -> Cohort:
    """A cohort named in a body or query: for admins of its program and (when `members`) for
    its members; 404 otherwise."""
    cohort, reaches = await _cohort_with_reaches(graph, principal, cohort_id)
    if Reach.PROGRAM_ADMIN in reaches or (members and Reach.MEMBER in reaches):
        return cohort
    raise NotFoundError(no_such("cohort", cohort_id))


def _enforce_party_reach(
    request: Request, principal: Principal, kind: str, key: str, parties: Mapping[str, str]
) -> None:
    """Let the policy decide for the mentor, the mentee (`parties`' `mentor_id`, `mentee_id`) and
    the admins of the program (`program_id`) of a mentorship or of one of its sessions."""
    reaches = set()
    if principal.person_id in (parties["mentor_id"], parties["mentee_id"]):
        reaches.add(Reach.PARTY)
    if principal.administers(parties["program_id"]):
        reaches.add(Reach.PROGRAM_ADMIN)
    enforce_reach(request, principal, reaches, kind, key)


async def reached_mentorship(
    mentorship_id: str, request: Request, principal: CurrentPrincipal, graph: GraphDep
) -> Mentorship:
    """The path's mentorship, for its mentor, its mentee and admins of its program."""
    row = await mentorships.get_mentorship(graph, mentorship_id)
    if row is None:
        raise NotFoundError(no_such("mentorship", mentorship_id))
    mentorship = Mentorship.model_validate(row)
    _enforce_party_reach(
        request, principal, "mentorship", mentorship_id, mentorship.model_dump(mode="json")
    )
    return mentorship


async def reached_session(
    session_id: str, request: Request, principal: CurrentPrincipal, graph: GraphDep
) -> Session:
    """The path's session, for the mentor and mentee of its mentorship and admins of its program."""
    context = await sessions.session_context(graph, session_id)
    if context is None:
        raise NotFoundError(no_such("session", session_id))
    _enforce_party_reach(request, principal, "session", session_id, context)
    return Session.model_validate(context["session"])


ReachedPerson = Annotated[PersonRef, Depends(reached_person)]
ReachedProgram = Annotated[ProgramRef, Depends(reached_program)]
ReachedCohort = Annotated[Cohort, Depends(reached_cohort)]
ReachedMentorship = Annotated[Mentorship, Depends(reached_mentorship)]
ReachedSession = Annotated[Session, Depends(reached_session)]
ReachedConsent = Annotated[Row, Depends(reached_consent)]
ReachedImport = Annotated[Row, Depends(reached_import)]


async def check_proposal(graph: Graph, principal: Principal, body: MentorshipCreate) -> Proposer:
    """Who proposes, and whether they may: a person only as one side (403 otherwise) and, as the
    mentee, only in a program they are a member of; an admin only in a cohort of their program
    (404 otherwise). The other side must be someone the proposer can choose. That the mentee is
    in the cohort's program at all is the graph's rule (`graph/mentorships.py`, 422)."""
    if principal.person_id == body.mentor_id:
        by = Proposer.MENTOR
    elif principal.person_id == body.mentee_id:
        by = Proposer.MENTEE
    elif principal.is_admin:
        by = Proposer.ADMIN
    else:
        raise ForbiddenError("A person may propose only a mentorship they take part in.")
    if by is Proposer.ADMIN:
        await cohort_in_reach(graph, principal, body.cohort_id, members=False)
        for side in (body.mentor_id, body.mentee_id):
            await person_choosable(graph, principal, side, by=None)
        return by
    if by is Proposer.MENTEE and not await programs.in_program_of(
        graph, body.mentee_id, body.cohort_id
    ):
        raise NotFoundError(no_such("cohort", body.cohort_id))
    other = body.mentee_id if by is Proposer.MENTOR else body.mentor_id
    await person_choosable(graph, principal, other, by=principal.person_id)
    return by


def check_backdated_start(principal: Principal, mentorship: Mentorship) -> None:
    """Only an admin of the program backdates a mentorship's start (entering history)."""
    if not principal.administers(mentorship.program_id):
        raise ForbiddenError("Only an admin of the program can change started_at.")


def check_transition(
    principal: Principal, mentorship: Mentorship, target: MentorshipStatus
) -> None:
    """Accepting a proposal is only for the person it proposes (the side that did not propose;
    the mentor when an admin proposed): acceptance is what makes them members of the cohort.
    Any other legal change is for either side or an admin of the program. Illegal changes are
    left for the state machine to refuse with 409."""
    current = mentorship.status
    if not can_transition(current, target):
        return
    if current is MentorshipStatus.PROPOSED and target is MentorshipStatus.ACTIVE:
        mentor_proposed = mentorship.proposed_by is Proposer.MENTOR
        acceptor = mentorship.mentee_id if mentor_proposed else mentorship.mentor_id
        if principal.person_id != acceptor:
            side = "mentee" if mentor_proposed else "mentor"
            raise ForbiddenError(f"Only the proposed {side} can accept this proposal.")


async def program_in_reach(graph: Graph, principal: Principal, program_id: str) -> ProgramRef:
    """A program named in a query: for its admins; 404 otherwise."""
    row = await programs.get_program(graph, program_id)
    if row is None or not principal.administers(program_id):
        raise NotFoundError(no_such("program", program_id))
    return ProgramRef(program_id)
