"""The signed documents Rolodex hands out, their `typ` values, and how they are signed.

All are compact JWS, ES256, signed with the `documents` key ring (never the access-token keys):

| typ | what |
| --- | --- |
| `rolodex-bundle+jwt` | a portable profile bundle |
| `rolodex-consent-receipt+jwt` | the receipt of a consent grant |
| `secevent+jwt` | a webhook notification (RFC 8417 Security Event Token) |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auth import jws
from auth.keys import KeyStore

BUNDLE_TYP = "rolodex-bundle+jwt"
RECEIPT_TYP = "rolodex-consent-receipt+jwt"
EVENT_TYP = "secevent+jwt"

CONSENT_REVOKED_EVENT = "https://rolodex.dev/events/consent-revoked"


def sign_document(keystore: KeyStore, claims: Mapping[str, Any] | bytes, typ: str) -> str:
    """Sign `claims` (a mapping, or a JSON object already serialised to bytes)."""
    keystore.documents.refresh()
    return jws.sign(claims, keystore.documents.active, typ)
