"""Opaque, URL-safe ids: a short prefix naming the kind, then 96 random bits in base64url.

For example `per_3q2-7wE1b0cKx9aA`. Ids carry no meaning beyond the prefix and are never reused.
"""

from __future__ import annotations

import re
import secrets

PREFIXES = frozenset(
    {
        "per",
        "ctc",
        "prg",
        "coh",
        "out",
        "msr",
        "mnt",
        "ses",
        "gone",
        "cns",
        "rcp",
        "whd",
        "mig",
        "bdl",
        "imp",
        "aud",
        "crd",
        "stl",
    }
)
URL_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def new_id(prefix: str) -> str:
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    return f"{prefix}_{secrets.token_urlsafe(12)}"


def is_url_safe_id(value: str) -> bool:
    """Whether `value` can serve as an id in a URL path segment without escaping."""
    return URL_SAFE_ID.fullmatch(value) is not None
