"""Counting a refused import for the admins' weekly metrics (`imports_rejected`, `rejections`).

The import route calls `count_refused_import` once, where it answers a refused bundle with its
problem. Which platform the refusal is charged to, never personal data: the authenticated
partner's platform id; else the registered platform whose issuer the bundle names; else
`unknown`. Refused dry runs are not counted (a dry run is neither an import nor a refusal of
one). Counting is best effort: if the graph cannot take the write, the refusal is still answered
and the failure logged.
"""

from __future__ import annotations

import logging

from graph import import_refusals, platforms
from graph.db import Graph
from graph.values import utc_now
from portability.errors import PortabilityError
from portability.verify import peek_claims

log = logging.getLogger("rolodex.imports")


async def refusal_platform(graph: Graph, partner_platform_id: str | None, token: str | None) -> str:
    """The platform a refusal is charged to (see the module docstring)."""
    if partner_platform_id is not None:
        return partner_platform_id
    if token is None:
        return import_refusals.UNKNOWN_PLATFORM
    try:
        issuer = peek_claims(token).get("iss")
    except PortabilityError:
        return import_refusals.UNKNOWN_PLATFORM
    platform = await platforms.find_by_issuer(graph, issuer) if isinstance(issuer, str) else None
    return str(platform["id"]) if platform is not None else import_refusals.UNKNOWN_PLATFORM


async def count_refused_import(
    graph: Graph,
    *,
    problem: str,
    partner_platform_id: str | None,
    token: str | None,
    dry_run: bool,
) -> None:
    """Add one refusal with problem slug `problem` to this quarter hour's counter."""
    if dry_run:
        return
    try:
        platform_id = await refusal_platform(graph, partner_platform_id, token)
        await import_refusals.count_refusal(
            graph, at=utc_now(), platform_id=platform_id, problem=problem
        )
    except Exception:  # the refusal is answered whether or not it could be counted
        log.exception("refused import not counted", extra={"problem": problem})
