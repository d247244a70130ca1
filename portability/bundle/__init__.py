"""The bundle body: models, JSON Schema, version upgrades, building it from graph rows."""
