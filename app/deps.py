"""Annotated dependency aliases, so handlers read like a signature of what they need."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from app.settings import Settings
from graph.db import Graph


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


def get_http_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.http_client
    return client


SettingsDep = Annotated[Settings, Depends(get_settings)]
GraphDep = Annotated[Graph, Depends(get_graph)]
HttpClientDep = Annotated[httpx.AsyncClient, Depends(get_http_client)]
