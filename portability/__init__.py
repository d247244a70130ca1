"""Bundles and their life cycle, in one package.

- `vocabulary`: the shared words (sections, statuses, roles, the audience `self`, id patterns);
- `errors`: every refusal, each carrying its own problem slug, title and HTTP status;
- `bundle/`: the body models, JSON Schema, version upgrades, building a body from graph rows
  (`bundle.contacts` is the one contact mapping);
- `documents`: the signed document types and how they are signed;
- `consent`: grants with their signed receipts (used by the consents route and the exporter);
- `verify`: the one verifier (importer, `rolodex verify`, tests);
- `importer`, `exporter`: the two directions; `vcard`: contacts as vCard 4.0.

Cypher stays in `graph/`; the importer hands `graph.imports` a typed `ImportPlan`.
"""
