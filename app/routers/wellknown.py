"""Public discovery documents: the JWKS partners verify bundles and tokens against."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

router = APIRouter(tags=["wellknown"])

JWKS_MAX_AGE_SECONDS = 300


class PublicJwk(BaseModel):
    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class Jwks(BaseModel):
    keys: list[PublicJwk] = Field(
        description="Published public keys (both active and in their grace period)."
    )


@router.get("/.well-known/jwks.json", name="jwks", summary="Public signing keys (JWKS)")
async def jwks(request: Request, response: Response) -> Jwks:
    """Every published public key. Keys are chosen by `kid`; `access-*` keys sign access tokens,
    `documents-*` keys sign bundles, consent receipts and webhook notifications."""
    document: dict[str, Any] = request.app.state.keystore.jwks(datetime.now(UTC))
    response.headers["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE_SECONDS}"
    return Jwks.model_validate(document)
