"""Statistics of the contact graph from its edge list: degrees, connected components, 2-hop reach.

Neo4j Community has no graph algorithms library, so the graph layer fetches the people's ids and
the `KNOWS` edges once (ids only) and these functions work on them in memory. `KNOWS` is treated
as undirected: a person's degree is the number of distinct people they are connected to in
either direction (a pair who recorded each other counts once). Components are found with
union-find. The 2-hop reach of a person (distinct people within two hops, themselves excluded) is
computed for everyone up to `SAMPLE_SIZE` people; above that, for a deterministic sample of
`SAMPLE_SIZE` people (seeded, so the same graph gives the same estimate).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import takewhile

from app.analytics.stats import mean, median, ratio, rounded

SAMPLE_SIZE = 1000
SAMPLE_SEED = 20260105
EXACT_DEGREES = 10
_STEPS = (1, 2, 5)


def adjacency(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Undirected neighbour sets; edges touching unknown nodes and self-loops are ignored."""
    neighbours: dict[str, set[str]] = {node: set() for node in nodes}
    for a, b in edges:
        if a != b and a in neighbours and b in neighbours:
            neighbours[a].add(b)
            neighbours[b].add(a)
    return neighbours


def _floors() -> Iterator[int]:
    """Bucket floors in order: 0-9, then 10, 20, 50, 100, 200, 500, 1000, …"""
    yield from range(EXACT_DEGREES)
    scale = EXACT_DEGREES
    while True:
        for step in _STEPS:
            yield step * scale
        scale *= 10


def degree_bucket(degree: int) -> int:
    """The lowest degree of the histogram bucket `degree` falls in: exact below 10, then
    10-19, 20-49, 50-99, 100-199, 200-499, 500-999, 1000-1999, …"""
    previous = 0
    for floor in _floors():
        if floor > degree:
            return previous
        previous = floor
    raise AssertionError("unreachable")  # pragma: no cover - _floors never ends


def degree_histogram(degrees: Sequence[int]) -> list[dict[str, int]]:
    """Rows `{"degree": bucket floor, "people": n}` from 0 up to the highest bucket in use."""
    if not degrees:
        return []
    counts = Counter(degree_bucket(degree) for degree in degrees)
    highest = max(counts)
    return [
        {"degree": floor, "people": counts[floor]}
        for floor in takewhile(lambda floor: floor <= highest, _floors())
    ]


def largest_component_size(neighbours: dict[str, set[str]]) -> int:
    """Size of the largest connected component (union-find with path halving)."""
    parent = {node: node for node in neighbours}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, others in neighbours.items():
        for b in others:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    sizes: dict[str, int] = {}
    for node in neighbours:
        top = root(node)
        sizes[top] = sizes.get(top, 0) + 1
    return max(sizes.values(), default=0)


def two_hop_reach(neighbours: dict[str, set[str]], node: str) -> int:
    """Distinct people within two hops of `node`, not counting `node`."""
    reach = set(neighbours[node])
    for other in neighbours[node]:
        reach |= neighbours[other]
    reach.discard(node)
    return len(reach)


def reach_sample(nodes: Sequence[str]) -> tuple[list[str], bool]:
    """The people whose 2-hop reach is computed, and whether that is a sample."""
    ordered = sorted(nodes)
    if len(ordered) <= SAMPLE_SIZE:
        return ordered, False
    sample = random.Random(SAMPLE_SEED).sample(ordered, SAMPLE_SIZE)  # noqa: S311 - reproducible, not secret
    return sample, True


@dataclass(frozen=True)
class Snapshot:
    mean_degree: float | None
    degree_histogram: list[dict[str, int]]
    largest_component_share: float | None
    median_two_hop_reach: float | None
    estimated: bool
    sample_size: int | None


def snapshot(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> Snapshot:
    neighbours = adjacency(nodes, edges)
    degrees = [len(others) for others in neighbours.values()]
    sample, estimated = reach_sample(list(neighbours))
    people = len(neighbours)
    return Snapshot(
        mean_degree=rounded(mean(degrees)),
        degree_histogram=degree_histogram(degrees),
        largest_component_share=rounded(ratio(largest_component_size(neighbours), people)),
        median_two_hop_reach=rounded(median(two_hop_reach(neighbours, n) for n in sample)),
        estimated=estimated,
        sample_size=len(sample) if estimated else None,
    )
