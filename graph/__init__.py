"""Everything that speaks Cypher: the driver wrapper, schema migrations and one module per aggregate."""
