"""IETF Token Status List: the `status_list` claim (`bits`, `lst`) and reading one status.

`lst` is the status array — index 0 in the least significant bits of the first byte — compressed
with DEFLATE in the ZLIB format and base64url-encoded. Rolodex uses 1-bit statuses: 0 valid,
1 invalid (revoked, or the holder was erased). The token itself is a JWT of `typ`
`statuslist+jwt` whose `sub` is the list's URI, served as `application/statuslist+jwt`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from credentials.sdjwt import b64url, b64url_decode

MEDIA_TYPE = "application/statuslist+jwt"
TYP = "statuslist+jwt"
VALID = 0
INVALID = 1
BITS = 1


class StatusListError(ValueError):
    """A status list that cannot be read."""


def encode(size: int, invalid: Iterable[int], bits: int = BITS) -> dict[str, int | str]:
    """The `status_list` claim for `size` entries, the indexes in `invalid` set to 1."""
    if bits not in (1, 2, 4, 8) or size % (8 // bits):
        raise StatusListError("size must fill whole bytes")
    array = bytearray(size * bits // 8)
    per_byte = 8 // bits
    for index in invalid:
        array[index // per_byte] |= INVALID << ((index % per_byte) * bits)
    return {"bits": bits, "lst": b64url(zlib.compress(bytes(array), 9))}


def status_at(claim: object, index: int, max_bytes: int = 16 * 1024 * 1024) -> int:
    """The status of entry `index` in a `status_list` claim."""
    if not isinstance(claim, dict):
        raise StatusListError("status_list is not an object")
    bits, lst = claim.get("bits"), claim.get("lst")
    if bits not in (1, 2, 4, 8) or not isinstance(lst, str):
        raise StatusListError("status_list needs bits (1, 2, 4 or 8) and lst")
    assert isinstance(bits, int)
    try:
        inflater = zlib.decompressobj()
        array = inflater.decompress(b64url_decode(lst), max_bytes)
    except (ValueError, zlib.error) as error:
        raise StatusListError("lst is not base64url zlib data") from error
    per_byte = 8 // bits
    if index < 0 or index // per_byte >= len(array):
        raise StatusListError("the index is outside the list")
    return (array[index // per_byte] >> ((index % per_byte) * bits)) & ((1 << bits) - 1)


def token_claims(
    uri: str, size: int, invalid: Iterable[int], *, iat: int, exp: int, ttl: int
) -> dict[str, object]:
    """The claims of a Status List Token (`sub` is the list's URI)."""
    return {
        "sub": uri,
        "iat": iat,
        "exp": exp,
        "ttl": ttl,
        "status_list": encode(size, invalid),
    }
