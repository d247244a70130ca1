"""The verifier's view of the world, as the service sees it: trusted issuers and their keys
(registered platforms), the nonces it handed out (the graph), and status lists (our own from the
graph, other issuers' fetched over HTTP and verified against the issuer's keys)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auth import jws
from auth.jwks_client import JwksCache, JwksFetchError, parse_jwks
from auth.keys import KeyStore
from auth.outbound import OutboundClient, OutboundError
from credentials import metadata, statuslist
from credentials.errors import StatusUnverifiableError
from credentials.verifier import IssuerKeys, NonceRecord
from graph import credentials as store
from graph import platforms
from graph.db import Graph
from portability.errors import IssuerUntrustedError, KeyNotFoundError

MAX_STATUS_LIST_BYTES = 1024 * 1024


@dataclass
class TrustedIssuers:
    """Issuers registered as platforms. This instance's own issuer is trusted only once an
    operator registered it too; its keys then come from the local `documents` ring."""

    graph: Graph
    jwks: JwksCache
    keystore: KeyStore
    public_url: str

    async def key(self, issuer: str, kid: str) -> dict[str, Any] | None:
        platform = await platforms.find_by_issuer(self.graph, issuer)
        if platform is None:
            raise IssuerUntrustedError(f"Issuer {issuer!r} is not a registered platform here.")
        if issuer == self.public_url:
            self.keystore.documents.refresh()
            own = self.keystore.documents.find(kid, datetime.now(UTC))
            return None if own is None else own.public_jwk()
        if platform.get("jwks"):
            return parse_jwks(platform["jwks"]).get(kid)
        if not platform.get("jwks_url"):
            return None
        try:
            return await self.jwks.find(platform["jwks_url"], kid)
        except JwksFetchError as error:
            raise KeyNotFoundError(f"The issuer's keys could not be fetched: {error}") from error


@dataclass
class GraphNonces:
    graph: Graph

    async def find(self, value: str) -> NonceRecord | None:
        row = await store.find_nonce(self.graph, value)
        if row is None:
            return None
        return NonceRecord(
            person_id=row["person_id"],
            aud=row["aud"],
            expires_at=row["expires_at"],
            used=row["used_at"] is not None,
        )


@dataclass
class StatusListResolver:
    graph: Graph
    outbound: OutboundClient
    keys: IssuerKeys
    public_url: str

    async def status(self, issuer: str, uri: str, index: int) -> int:
        local_prefix = metadata.status_list_uri(self.public_url, "")
        if issuer == self.public_url and uri.startswith(local_prefix):
            found = await store.status_list(self.graph, uri.removeprefix(local_prefix))
            if found is None or not 0 <= index < found["size"]:
                raise StatusUnverifiableError("The credential's status entry does not exist.")
            return statuslist.INVALID if index in set(found["invalid"]) else statuslist.VALID
        try:
            response = await self.outbound.get(
                uri, headers={"Accept": statuslist.MEDIA_TYPE}, max_bytes=MAX_STATUS_LIST_BYTES
            )
        except OutboundError as error:
            raise StatusUnverifiableError(
                f"The status list could not be fetched: {error.reason}."
            ) from error
        if response.status_code != 200:
            raise StatusUnverifiableError(
                f"The status list endpoint answered {response.status_code}."
            )
        token = response.content.decode("utf-8", errors="replace").strip()
        return await status_from_token(token, issuer, uri, index, self.keys)


async def status_from_token(token: str, issuer: str, uri: str, index: int, keys: IssuerKeys) -> int:
    """Verify a Status List Token as the issuer's (typ, key by kid, signature, sub, exp) and
    read entry `index`."""
    try:
        header = jws.read_header(token, typ=statuslist.TYP, max_bytes=MAX_STATUS_LIST_BYTES)
        key = await keys.key(issuer, header.kid)
        if key is None:
            raise StatusUnverifiableError("The status list's key is unknown.")
        claims = jws.verify_signature(token, key)
        jws.check_claims(claims, issuer=None, audience=None, required=("sub", "iat", "status_list"))
    except jws.JwsError as error:
        raise StatusUnverifiableError(
            f"The status list token does not verify: {error.description}"
        ) from error
    if claims["sub"] != uri:
        raise StatusUnverifiableError("The status list token is for another list.")
    try:
        return statuslist.status_at(claims["status_list"], index)
    except statuslist.StatusListError as error:
        raise StatusUnverifiableError(f"The status list is unreadable: {error}") from error
