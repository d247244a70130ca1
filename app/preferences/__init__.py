"""Preference layers (schema, resolution) and the guarded migration from the legacy flag format."""
