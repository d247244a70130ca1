"""Portable bundles: models, JSON Schema, build (graph to bundle), signing and the import pipeline."""
