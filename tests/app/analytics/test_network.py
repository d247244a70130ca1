"""app/analytics/network.py: degrees, histogram buckets, components, 2-hop reach, sampling."""

from __future__ import annotations

from app.analytics.network import (
    SAMPLE_SIZE,
    adjacency,
    degree_bucket,
    degree_histogram,
    largest_component_size,
    reach_sample,
    snapshot,
    two_hop_reach,
)


def test_edges_are_undirected_and_counted_once() -> None:
    neighbours = adjacency(["a", "b", "c"], [("a", "b"), ("b", "a"), ("a", "a"), ("c", "zz")])
    assert neighbours == {"a": {"b"}, "b": {"a"}, "c": set()}


def test_degree_buckets() -> None:
    cases = {0: 0, 9: 9, 10: 10, 19: 10, 20: 20, 49: 20, 50: 50, 99: 50, 100: 100, 1999: 1000}
    assert {degree: degree_bucket(degree) for degree in cases} == cases
    assert degree_histogram([]) == []
    assert degree_histogram([0, 3, 3, 25]) == [
        {"degree": d, "people": {0: 1, 3: 2, 20: 1}.get(d, 0)} for d in [*range(10), 10, 20]
    ]


def test_components_and_two_hop_reach() -> None:
    neighbours = adjacency(
        [str(n) for n in range(7)], [("0", "1"), ("1", "2"), ("2", "3"), ("4", "5")]
    )
    assert largest_component_size(neighbours) == 4
    assert largest_component_size({}) == 0
    assert [two_hop_reach(neighbours, str(n)) for n in range(7)] == [2, 3, 3, 2, 1, 1, 0]


def test_large_graphs_are_sampled_deterministically() -> None:
    ring = [f"p{n:05d}" for n in range(1500)]
    edges = [(ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))]
    first = snapshot(ring, edges)
    assert (first.estimated, first.sample_size) == (True, SAMPLE_SIZE)
    assert first.median_two_hop_reach == 4.0  # everyone on a ring reaches 4 people in 2 hops
    assert first.largest_component_share == 1.0
    assert first.mean_degree == 2.0
    assert reach_sample(ring) == reach_sample(list(reversed(ring)))
    small = snapshot(ring[:10], [])
    assert (small.estimated, small.sample_size, small.median_two_hop_reach) == (False, None, 0.0)
