"""Which programs a metrics query looks at: everything, an admin's programs, one program or cohort.

A scope is resolved once per read transaction into the ids of the cohorts it covers
(`scope_params`), so the conditions below cost one hop per row — a mentorship's `IN_COHORT`, a
person's `MEMBER_OF` — and nothing at all when the scope is everything. They are written here
once so every metric filters the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph.values import fetch_one


@dataclass(frozen=True)
class Scope:
    """`programs`: the admin's programs (None = every program); `program_id` / `cohort_id`:
    the filters asked for (already checked to be within `programs`)."""

    programs: frozenset[str] | None = None
    program_id: str | None = None
    cohort_id: str | None = None

    @property
    def everything(self) -> bool:
        return self.programs is None and self.program_id is None and self.cohort_id is None


COHORTS_IN_SCOPE: LiteralString = """
MATCH (g:Program)-[:HAS_COHORT]->(c:Cohort)
WHERE ($cohort IS NULL OR c.id = $cohort) AND ($program IS NULL OR g.id = $program)
  AND ($scope IS NULL OR g.id IN $scope)
RETURN collect(c.id) AS cohorts
"""


async def scope_params(tx: AsyncManagedTransaction, scope: Scope) -> dict[str, Any]:
    """`$everything` and `$cohorts` (the cohort ids in scope) for the conditions below."""
    if scope.everything:
        return {"everything": True, "cohorts": []}
    row = await fetch_one(
        tx,
        COHORTS_IN_SCOPE,
        cohort=scope.cohort_id,
        program=scope.program_id,
        scope=sorted(scope.programs) if scope.programs is not None else None,
    )
    assert row is not None
    return {"everything": False, "cohorts": row["cohorts"]}


def mentorship_in_scope(var: LiteralString) -> LiteralString:
    """A condition on mentorship variable `var`: its cohort is in scope."""
    return f"($everything OR EXISTS {{ ({var})-[:IN_COHORT]->(c:Cohort) WHERE c.id IN $cohorts }})"


def person_in_scope(var: LiteralString) -> LiteralString:
    """A condition on person variable `var`: everyone when unscoped, else members (today) of a
    cohort in scope."""
    return f"($everything OR EXISTS {{ ({var})-[:MEMBER_OF]->(c:Cohort) WHERE c.id IN $cohorts }})"
