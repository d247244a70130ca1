"""Which bundle sections a person's effective preferences withhold from an audience.

The same resolution as `GET /v1/people/{id}/preferences/effective?audience=X` (model.resolve over
the stored choices, per-audience overrides and program defaults): `share_contacts=false` withholds
`contacts`, `share_outcomes=false` withholds `outcomes`. A person's own download (`self`) is
never restricted by their sharing choices.
"""

from __future__ import annotations

from typing import Final

from app.preferences.model import Preferences, resolve
from graph import preferences as store
from graph.db import Graph
from portability.vocabulary import SELF_AUDIENCE, Section

SECTION_SWITCHES: Final[dict[str, Section]] = {
    "share_contacts": "contacts",
    "share_outcomes": "outcomes",
}


async def withheld_sections(graph: Graph, person_id: str, audience: str) -> frozenset[Section]:
    if audience == SELF_AUDIENCE:
        return frozenset()
    stored = await store.get_preferences(graph, person_id)
    preferences = Preferences.model_validate(
        {key: stored[key] for key in ("version", "choices", "overrides") if key in stored}
    )
    effective = resolve(
        preferences, await store.program_defaults_of_person(graph, person_id), audience
    )
    return frozenset(
        section for key, section in SECTION_SWITCHES.items() if effective[key]["value"] is False
    )
