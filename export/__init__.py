"""The published bundle format: its frozen JSON Schema files (`export/schemas/`).

Everything about bundles — models, schema generation, version upgrades, consent receipts, the
verifier, the importer, the exporter and vCard — lives in the `portability/` package (see its
docstring and docs/architecture.md). This package keeps the JSON Schema files of older schema
versions that partners and `portability.bundle.schema` read (version 1 is frozen here; the
current version is generated from `portability.bundle.models` into openapi/bundle.schema.json).
"""
