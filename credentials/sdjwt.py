"""RFC 9901 Selective Disclosure for JWTs: disclosures, digests, decoys, key binding.

The compact serialisation is `<issuer-signed JWT>~<disclosure>~…~[<KB-JWT>]`. A disclosure is the
base64url of a JSON array: `[salt, name, value]` for an object property, `[salt, value]` for an
array element. The issuer-signed JWT carries the base64url SHA-256 digest of each disclosure: in
an object's `_sd` array, or as an array element `{"...": digest}`; decoy digests hide how many
items there are. `unpack` rebuilds the disclosed claims and refuses every structural attack the
RFC lists (section 7.1): unreferenced disclosures, a digest referenced twice, a disclosure given
twice, reserved or clashing claim names.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SD_ALG = "sha-256"
SD_KEY = "_sd"
SD_ALG_KEY = "_sd_alg"
ARRAY_KEY = "..."
SEPARATOR = "~"
KB_TYP = "kb+jwt"
SALT_BYTES = 16


class SdJwtError(Exception):
    """A structural problem in an SD-JWT; `code` is the problem slug."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not all(c.isalnum() or c in "-_" for c in text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def digest(text: str) -> str:
    """The digest of a disclosure (or of an SD-JWT, for `sd_hash`): b64url(SHA-256(ASCII))."""
    return b64url(hashlib.sha256(text.encode("ascii")).digest())


def decoy_digest() -> str:
    return b64url(hashlib.sha256(secrets.token_bytes(32)).digest())


def encode_disclosure(*parts: Any) -> str:
    """`[salt, name, value]` or `[salt, value]` with a fresh 128-bit salt, base64url encoded."""
    array = [b64url(secrets.token_bytes(SALT_BYTES)), *parts]
    return b64url(json.dumps(array, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


@dataclass
class Builder:
    """Collects the disclosures while the issuer shapes its payload."""

    disclosures: list[str] = field(default_factory=list)

    def property(self, name: str, value: Any) -> str:
        """Make `name: value` of an object disclosable; return its digest for that object's `_sd`."""
        disclosure = encode_disclosure(name, value)
        self.disclosures.append(disclosure)
        return digest(disclosure)

    def element(self, value: Any) -> dict[str, str]:
        """Make an array element disclosable; return the `{"...": digest}` placeholder."""
        disclosure = encode_disclosure(value)
        self.disclosures.append(disclosure)
        return {ARRAY_KEY: digest(disclosure)}

    @staticmethod
    def sd_object(digests: Iterable[str], decoys: int) -> list[str]:
        """The `_sd` array: real and decoy digests, sorted so position reveals nothing."""
        return sorted([*digests, *(decoy_digest() for _ in range(decoys))])

    @staticmethod
    def sd_array(placeholders: list[dict[str, str]], decoys: int) -> list[dict[str, str]]:
        """Array elements with decoys mixed in at random positions (real order kept)."""
        result = list(placeholders)
        for _ in range(decoys):
            result.insert(secrets.randbelow(len(result) + 1), {ARRAY_KEY: decoy_digest()})
        return result


@dataclass(frozen=True)
class Compact:
    """The parts of a compact SD-JWT or SD-JWT+KB."""

    jwt: str
    disclosures: list[str]
    kb_jwt: str | None

    @property
    def sd_jwt(self) -> str:
        """The SD-JWT without key binding, ending in `~`: what `sd_hash` covers."""
        return SEPARATOR.join([self.jwt, *self.disclosures, ""])

    def serialize(self) -> str:
        return self.sd_jwt + (self.kb_jwt or "")


def split(serialized: str) -> Compact:
    parts = serialized.strip().split(SEPARATOR)
    if len(parts) < 2 or parts[0].count(".") != 2:
        raise SdJwtError(
            "presentation-malformed", "Not a compact SD-JWT (`<JWT>~<disclosure>~…~[<KB-JWT>]`)."
        )
    disclosures = parts[1:-1]
    if any(not disclosure for disclosure in disclosures):
        raise SdJwtError("presentation-malformed", "The SD-JWT has an empty disclosure.")
    kb_jwt = parts[-1] or None
    if kb_jwt is not None and kb_jwt.count(".") != 2:
        raise SdJwtError("presentation-malformed", "The key-binding JWT is not a compact JWS.")
    return Compact(jwt=parts[0], disclosures=disclosures, kb_jwt=kb_jwt)


@dataclass(frozen=True)
class Disclosure:
    encoded: str
    digest: str
    salt: str
    name: str | None  # None for an array element
    value: Any


def decode_disclosure(encoded: str) -> Disclosure:
    try:
        array = json.loads(b64url_decode(encoded).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise SdJwtError(
            "disclosure-malformed", "A disclosure is not base64url-encoded JSON."
        ) from error
    if not isinstance(array, list) or len(array) not in (2, 3) or not isinstance(array[0], str):
        raise SdJwtError(
            "disclosure-malformed",
            "A disclosure is not a [salt, name, value] or [salt, value] array.",
        )
    name = None
    if len(array) == 3:
        name = array[1]
        if not isinstance(name, str) or name in (SD_KEY, ARRAY_KEY):
            raise SdJwtError("disclosure-malformed", f"A disclosure names the claim {name!r}.")
    return Disclosure(encoded, digest(encoded), array[0], name, array[-1])


@dataclass
class Unpacked:
    """The claims after substituting the disclosures, and which paths were disclosed."""

    claims: dict[str, Any]
    disclosed_paths: list[tuple[str | int, ...]]


def unpack(payload: dict[str, Any], disclosures: list[str]) -> Unpacked:
    """RFC 9901 section 7.1 steps 3-5: substitute the disclosures into the payload."""
    algorithm = payload.get(SD_ALG_KEY, SD_ALG)
    if algorithm != SD_ALG:
        raise SdJwtError("presentation-malformed", f"Unsupported _sd_alg {algorithm!r}.")
    by_digest: dict[str, Disclosure] = {}
    for encoded in disclosures:
        disclosure = decode_disclosure(encoded)
        if disclosure.digest in by_digest:
            raise SdJwtError("disclosure-duplicated", "The same disclosure is given twice.")
        by_digest[disclosure.digest] = disclosure
    seen: set[str] = set()
    used: set[str] = set()
    paths: list[tuple[str | int, ...]] = []

    def claim(digest_value: Any) -> Disclosure | None:
        if not isinstance(digest_value, str):
            raise SdJwtError("presentation-malformed", "A digest is not a string.")
        if digest_value in seen:
            raise SdJwtError("digest-duplicated", "A digest appears more than once in the SD-JWT.")
        seen.add(digest_value)
        found = by_digest.get(digest_value)
        if found is not None:
            used.add(digest_value)
        return found

    def walk(node: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(node, dict):
            out = {
                key: walk(value, (*path, key))
                for key, value in node.items()
                if key not in (SD_KEY, SD_ALG_KEY)
            }
            sd = node.get(SD_KEY, [])
            if not isinstance(sd, list):
                raise SdJwtError("presentation-malformed", "An `_sd` claim is not an array.")
            for digest_value in sd:
                found = claim(digest_value)
                if found is None:
                    continue
                if found.name is None:
                    raise SdJwtError(
                        "disclosure-malformed",
                        "An array-element disclosure is referenced by `_sd`.",
                    )
                if found.name in out:
                    raise SdJwtError(
                        "disclosure-malformed",
                        f"The disclosed claim {found.name!r} already exists.",
                    )
                out[found.name] = walk(found.value, (*path, found.name))
                paths.append((*path, found.name))
            return out
        if isinstance(node, list):
            items: list[Any] = []
            for element in node:
                if isinstance(element, dict) and set(element) == {ARRAY_KEY}:
                    found = claim(element[ARRAY_KEY])
                    if found is None:
                        continue
                    if found.name is not None:
                        raise SdJwtError(
                            "disclosure-malformed",
                            "An object-property disclosure is referenced as an array element.",
                        )
                    index = len(items)
                    items.append(walk(found.value, (*path, index)))
                    paths.append((*path, index))
                else:
                    items.append(walk(element, (*path, len(items))))
            return items
        return node

    claims = walk(payload, ())
    unreferenced = set(by_digest) - used
    if unreferenced:
        raise SdJwtError(
            "disclosure-unknown",
            f"{len(unreferenced)} disclosure(s) match no digest in the issuer-signed JWT.",
        )
    return Unpacked(claims=claims, disclosed_paths=paths)


def path_text(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def index_disclosures(payload: dict[str, Any], disclosures: list[str]) -> dict[str, list[str]]:
    """For the holder: each disclosable path (`contacts[3]`, `profile.headline`) and the
    disclosures that reveal it (its own and those of every disclosable parent), in payload order.

    Array indexes count the real items in issuer order (decoys never show up as items)."""
    by_digest = {digest(encoded): encoded for encoded in disclosures}
    index: dict[str, list[str]] = {}

    def walk(node: Any, path: tuple[str | int, ...], chain: list[str]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in (SD_KEY, SD_ALG_KEY):
                    walk(value, (*path, key), chain)
            for digest_value in node.get(SD_KEY, []):
                encoded = by_digest.get(digest_value)
                if encoded is not None:
                    found = decode_disclosure(encoded)
                    sub = (*path, str(found.name))
                    index[path_text(sub)] = [*chain, encoded]
                    walk(found.value, sub, [*chain, encoded])
        elif isinstance(node, list):
            position = 0
            for element in node:
                if isinstance(element, dict) and set(element) == {ARRAY_KEY}:
                    encoded = by_digest.get(element[ARRAY_KEY])
                    if encoded is None:
                        continue
                    sub = (*path, position)
                    index[path_text(sub)] = [*chain, encoded]
                    walk(decode_disclosure(encoded).value, sub, [*chain, encoded])
                else:
                    walk(element, (*path, position), chain)
                position += 1

    walk(payload, (), [])
    return index
