"""The ego network body: nodes, edges and whether the cap cut it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class NetworkNode(BaseModel):
    id: str
    display_name: str | None
    headline: str | None
    discoverable: bool
    distance: int = Field(description="Hops from the centre (0 is the centre).")


class NetworkEdge(BaseModel):
    source: str = Field(description="The person who recorded the contact.")
    target: str
    relation: str | None = Field(description="Given only for contacts the centre recorded.")


class Network(BaseModel):
    centre_id: str
    depth: int
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    truncated: bool = Field(description="True when the size cap left people or edges out.")
