"""Annotated dependency aliases, so handlers read like a signature of what they need."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.settings import Settings
from auth.outbound import OutboundClient
from graph.db import Graph


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


def get_outbound(request: Request) -> OutboundClient:
    """The one client for outbound calls (auth/outbound.py's policy)."""
    client: OutboundClient = request.app.state.outbound
    return client


SettingsDep = Annotated[Settings, Depends(get_settings)]
GraphDep = Annotated[Graph, Depends(get_graph)]
OutboundDep = Annotated[OutboundClient, Depends(get_outbound)]
