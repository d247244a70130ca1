"""Who is calling: roles, scopes and the principal built from a verified access token.

Roles:
- `mentee`, `mentor`: a person (`person_id` = token subject); reach their own resources, and a
  mentor also the mentorship data of their mentees.
- `admin`: a program admin; reaches everything in the programs listed in the token's `programs`
  claim, or in every program when the claim is `["*"]` (operators).
- `partner`: a partner platform's OAuth client (`platform_id`); reaches people only through
  consent, with the scopes its client was granted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    ADMIN = "admin"
    PARTNER = "partner"


class Scope(StrEnum):
    """OAuth scopes of partner clients (people and admins act through their role instead)."""

    BUNDLES_READ = "bundles:read"
    IMPORTS_WRITE = "imports:write"
    CONSENTS_READ = "consents:read"


PARTNER_SCOPES = frozenset(scope.value for scope in Scope)
ALL_PROGRAMS = "*"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    token_id: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    platform_id: str | None = None
    programs: frozenset[str] = field(default_factory=frozenset)

    @property
    def person_id(self) -> str | None:
        """The person acting, for mentees and mentors; None for admins and partners."""
        return self.subject if self.role in (Role.MENTEE, Role.MENTOR) else None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_partner(self) -> bool:
        return self.role is Role.PARTNER

    def administers(self, program_id: str) -> bool:
        return self.is_admin and (ALL_PROGRAMS in self.programs or program_id in self.programs)

    @property
    def administers_all(self) -> bool:
        return self.is_admin and ALL_PROGRAMS in self.programs
