"""Which programs a metrics query looks at: everything, an admin's programs, one program or cohort.

Queries include the Cypher conditions below and pass `Scope.params()`; the conditions are
written here once so every metric filters the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

_PROGRAM_FILTER = """($cohort IS NULL OR c.id = $cohort) AND ($program IS NULL OR g.id = $program)
      AND ($scope IS NULL OR g.id IN $scope)"""


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

    def params(self) -> dict[str, Any]:
        return {
            "scope": sorted(self.programs) if self.programs is not None else None,
            "program": self.program_id,
            "cohort": self.cohort_id,
            "everything": self.everything,
        }


def mentorship_in_scope(var: LiteralString) -> LiteralString:
    """A condition on mentorship variable `var`: its cohort is within the scope."""
    return f"""EXISTS {{ ({var})-[:IN_COHORT]->(c:Cohort)<-[:HAS_COHORT]-(g:Program)
      WHERE {_PROGRAM_FILTER} }}"""


def person_in_scope(var: LiteralString) -> LiteralString:
    """A condition on person variable `var`: everyone when unscoped, else members of a cohort
    within the scope (today)."""
    return f"""($everything OR EXISTS {{ ({var})-[:MEMBER_OF]->(c:Cohort)<-[:HAS_COHORT]-(g:Program)
      WHERE {_PROGRAM_FILTER} }})"""
