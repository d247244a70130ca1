"""Domain errors the graph layer raises when a rule of the model refuses a write.

They carry a `detail` a person can act on and no Cypher. `graph/` knows nothing of HTTP; the app
maps them onto problem+json (`NotFoundError` → 404, `ConflictError` → 409, `InvalidError` → 422). A write
transaction that raises one is rolled back, so a refused request leaves nothing behind.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors below."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(DomainError):
    """Something the request names does not exist (or is not visible to the caller)."""


class ConflictError(DomainError):
    """The request is well formed but the current state refuses it (capacity, state machine…)."""


class InvalidError(DomainError):
    """The request breaks a rule of the model that input validation alone cannot see."""


def with_article(word: str) -> str:
    """`active` → `an active`, `paused` → `a paused`: the indefinite article before a state."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def no_such(kind: str, item_id: str) -> str:
    """The one wording of "not found", so a hidden item and a missing one read the same."""
    return f"No {kind} with id {item_id!r}."
