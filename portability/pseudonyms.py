"""Pairwise pseudonymous ids: every local id a bundle for audience X carries — the person
(`sub`, `profile.id`), mentorship counterparts, contacts that are people — is replaced by an id
stable for X, different for every other audience, that maps back only here.

A pseudonym is `psn_` + HMAC-SHA256(instance secret, audience | local id), truncated; the
exporter records each one it hands out (graph/pseudonyms.py) so an id that comes back from X
resolves to the local id (and an id that comes back from anyone else does not). A person's own
download (`self`) carries their real ids.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from portability.vocabulary import SELF_AUDIENCE

PREFIX = "psn_"


@dataclass
class Pseudonymizer:
    secret: bytes
    audience: str
    handed_out: dict[str, str] = field(default_factory=dict)  # pseudonym → local id

    def of(self, local_id: str) -> str:
        """The id `audience` knows `local_id` by (the id itself for `self`)."""
        if self.audience == SELF_AUDIENCE:
            return local_id
        digest = hmac.new(
            self.secret, f"{self.audience}|{local_id}".encode(), hashlib.sha256
        ).digest()
        pseudonym = PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()[:22]
        self.handed_out[pseudonym] = local_id
        return pseudonym

    def apply(self, person_id: str, slice_: dict[str, Any]) -> dict[str, Any]:
        """The slice with every local person id replaced (items imported from elsewhere keep
        their ids: they are not local)."""
        if self.audience == SELF_AUDIENCE:
            return slice_
        out = dict(slice_)
        if out.get("profile") is not None:
            out["profile"] = {**out["profile"], "id": self.of(person_id)}
        if out.get("contacts") is not None:
            out["contacts"] = [
                {**row, "id": self.of(row["id"])} if row.get("kind") == "person" else row
                for row in out["contacts"]
            ]
        if out.get("mentorships") is not None:
            out["mentorships"] = [
                {**row, "counterpart_id": self.of(row["counterpart_id"])}
                if "data" not in row and row.get("counterpart_id")
                else row
                for row in out["mentorships"]
            ]
        return out
