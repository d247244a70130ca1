"""A person's ego network: the people around them over `KNOWS`, up to three hops, capped.

Who appears: the centre, everyone directly connected to the centre (either direction), and beyond
them only people who opted in to discoverability. The walk continues only from the centre and
from discoverable people, so someone who did not opt in never has their own contacts shown.
Edges: those touching the centre, and those between two discoverable people. A relation label is
given only for edges the centre recorded (the rest belong to someone else's rolodex).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.values import Row, fetch_all, fetch_one

MAX_DEPTH = 3
MAX_NODES = 500
MAX_EDGES = 5000
NODE = "n {.id, .display_name, .headline, discoverable: coalesce(n.discoverable, false)}"


@dataclass
class _Walk:
    centre: str
    max_nodes: int
    nodes: dict[str, Row] = field(default_factory=dict)
    truncated: bool = False

    def add(self, rows: list[Row], distance: int) -> list[str]:
        """Add unseen nodes up to the cap; return the discoverable ones added (the next frontier)."""
        added: list[str] = []
        for row in rows:
            node = row["node"]
            if node["id"] in self.nodes:
                continue
            if len(self.nodes) >= self.max_nodes:
                self.truncated = True
                break
            self.nodes[node["id"]] = {**node, "distance": distance}
            if node["discoverable"]:
                added.append(node["id"])
        return added


async def ego_network(
    graph: Graph, centre_id: str, depth: int, *, max_nodes: int = MAX_NODES
) -> Row | None:
    """`{"nodes", "edges", "truncated"}` around `centre_id`; None when the person does not exist."""
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be within 1..{MAX_DEPTH}")

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        centre = await fetch_one(
            tx, f"MATCH (n:Person {{id: $id}}) RETURN {NODE} AS node", id=centre_id
        )
        if centre is None:
            return None
        walk = _Walk(centre_id, max_nodes)
        walk.add([centre], 0)
        frontier = walk.add(
            await fetch_all(
                tx,
                f"""
                MATCH (:Person {{id: $id}})-[:KNOWS]-(n:Person)
                RETURN DISTINCT {NODE} AS node ORDER BY node.id LIMIT $room
                """,
                id=centre_id,
                room=max_nodes + 1,
            ),
            1,
        )
        for distance in range(2, depth + 1):
            if not frontier or walk.truncated:
                break
            frontier = walk.add(
                await fetch_all(
                    tx,
                    f"""
                    UNWIND $frontier AS fid
                    MATCH (:Person {{id: fid}})-[:KNOWS]-(n:Person)
                    WHERE n.discoverable = true AND NOT n.id IN $seen
                    RETURN DISTINCT {NODE} AS node ORDER BY node.id LIMIT $room
                    """,
                    frontier=frontier,
                    seen=list(walk.nodes),
                    room=max_nodes - len(walk.nodes) + 1,
                ),
                distance,
            )
        edges = await fetch_all(
            tx,
            """
            MATCH (a:Person)-[k:KNOWS]->(b:Person)
            WHERE a.id IN $ids AND b.id IN $ids
              AND ($centre IN [a.id, b.id] OR (a.discoverable = true AND b.discoverable = true))
            RETURN a.id AS source, b.id AS target,
                   CASE WHEN a.id = $centre THEN k.relation END AS relation
            ORDER BY source, target
            LIMIT $room
            """,
            ids=list(walk.nodes),
            centre=centre_id,
            room=MAX_EDGES + 1,
        )
        truncated = walk.truncated or len(edges) > MAX_EDGES
        return {
            "centre_id": centre_id,
            "depth": depth,
            "nodes": list(walk.nodes.values()),
            "edges": edges[:MAX_EDGES],
            "truncated": truncated,
        }

    return await graph.read(work)
