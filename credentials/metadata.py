"""Where the credential's public documents live, and what they say.

- the `vct` (credential type) of the portable profile is a URL of this instance, which serves
  the SD-JWT VC type metadata document there;
- `/.well-known/jwt-vc-issuer` names the issuer and its keys (the `documents` ring: the keys that
  sign credentials and status lists, never the access-token keys);
- each status list is served at `/v1/status-lists/{list_id}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auth.keys import KeyStore
from portability.importer import PROFILE_KEYS

TYPE_PATH = "/v1/credential-types/portable-profile"
STATUS_LIST_PATH = "/v1/status-lists/"
ISSUER_METADATA_PATH = "/.well-known/jwt-vc-issuer"

SECTIONS = ("profile", "contacts", "mentorships", "sessions", "outcomes")
PROFILE_FIELDS = PROFILE_KEYS  # the profile fields a bundle carries, each its own disclosure


def vct(public_url: str) -> str:
    return public_url.rstrip("/") + TYPE_PATH


def status_list_uri(public_url: str, list_id: str) -> str:
    return public_url.rstrip("/") + STATUS_LIST_PATH + list_id


def issuer_metadata_url(issuer: str) -> str:
    """Where a verifier finds an issuer's metadata: the well-known segment goes between the host
    and any path of the issuer identifier (SD-JWT VC, JWT VC Issuer Metadata)."""
    scheme, _, rest = issuer.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host}{ISSUER_METADATA_PATH}" + (f"/{path}".rstrip("/") if slash else "")


def issuer_metadata(public_url: str, keystore: KeyStore, now: datetime) -> dict[str, Any]:
    keystore.documents.refresh()
    return {
        "issuer": public_url,
        "jwks": {"keys": [key.public_jwk() for key in keystore.documents.published(now)]},
    }


def _claim(path: list[str | int | None], label: str, sd: str = "always") -> dict[str, Any]:
    return {"path": path, "display": [{"locale": "en", "label": label}], "sd": sd}


def type_metadata(public_url: str) -> dict[str, Any]:
    """The SD-JWT VC type metadata of the portable profile: names, and which claims exist and
    whether they are selectively disclosable (`sd`)."""
    claims = [
        *(
            _claim(["profile", name], name.replace("_", " ").capitalize())
            for name in PROFILE_FIELDS
        ),
        _claim(["contacts", None], "Contact"),
        _claim(["contacts", None, "fn"], "Name", "never"),
        _claim(["contacts", None, "email"], "Email", "never"),
        _claim(["contacts", None, "org"], "Organisation", "never"),
        _claim(["mentorships", None], "Mentorship"),
        _claim(["mentorships", None, "role"], "Role in the mentorship", "never"),
        _claim(["mentorships", None, "status"], "Mentorship status", "never"),
        _claim(["sessions", None], "Session"),
        _claim(["sessions", None, "scheduled_at"], "Scheduled at", "never"),
        _claim(["outcomes", None], "Outcome measurement"),
        _claim(["outcomes", None, "outcome_name"], "Outcome", "never"),
        _claim(["outcomes", None, "value"], "Measured value", "never"),
    ]
    return {
        "vct": vct(public_url),
        "name": "Rolodex portable profile",
        "description": "A person's mentoring profile, rolodex contacts, mentorships, sessions and "
        "outcome measurements. Every contact, mentorship, session, outcome measurement and "
        "profile field is its own disclosure; the holder chooses what to present.",
        "display": [
            {
                "locale": "en",
                "name": "Portable mentoring profile",
                "description": "Contacts and mentoring history, disclosed item by item.",
            }
        ],
        "claims": claims,
    }
