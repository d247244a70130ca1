"""A person's ego network over their contacts, for the person and their admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.access import ACCESS_PROBLEMS, ReachedPerson
from app.deps import GraphDep
from app.errors import (
    NotFoundError,
    problem_responses,
)
from app.models.network import Network
from graph import network
from graph.errors import no_such

router = APIRouter(prefix="/v1", tags=["network"])


@router.get(
    "/people/{person_id}/network",
    name="get",
    summary="A person's ego network",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def ego_network(
    person: ReachedPerson,
    graph: GraphDep,
    depth: Annotated[
        int, Query(ge=1, le=network.MAX_DEPTH, description="Hops from the person (1 to 3).")
    ] = 1,
) -> Network:
    """The people around the person over `KNOWS`: everyone directly connected, and beyond them
    only people who opted in to discoverability; at most 500 people (`truncated` says when the
    cap cut the view)."""
    row = await network.ego_network(graph, person.id, depth)
    if row is None:
        raise NotFoundError(no_such("person", person.id))
    return Network.model_validate(row)
