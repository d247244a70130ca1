"""Pure computations behind metrics and matching: ISO weeks in a time zone, percentiles and
running totals, graph statistics over an edge list, fast-fail rules and match scoring.

Nothing here speaks to Neo4j: `graph/` runs the aggregate queries and hands back plain rows,
these modules turn them into the figures the API answers with. Every function is deterministic
and unit-tested on its own.
"""
