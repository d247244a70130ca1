"""Public discovery documents: the JWKS partners verify bundles and tokens against, and the JSON
Schemas of bundles (`/schemas/bundle/v{n}.json`, the path of the URL a bundle names in its
`schema` member, served by every instance so a partner can fetch it from the issuer)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.errors import NotFoundError
from portability.bundle.schema import schema_for

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


@router.get("/schemas/bundle/v{version}.json", name="bundle-schema", include_in_schema=False)
async def bundle_schema(version: int) -> JSONResponse:
    """The JSON Schema (2020-12) of bundles of that version: the whole claims set."""
    try:
        document = schema_for(version)
    except KeyError:
        raise NotFoundError(f"No bundle schema version {version}.") from None
    return JSONResponse(
        document,
        media_type="application/schema+json",
        headers={"Cache-Control": f"public, max-age={JWKS_MAX_AGE_SECONDS}"},
    )


@router.get("/.well-known/jwks.json", name="jwks", summary="Public signing keys (JWKS)")
async def jwks(request: Request, response: Response) -> Jwks:
    """Every published public key. Keys are chosen by `kid`; `access-*` keys sign access tokens,
    `documents-*` keys sign bundles, consent receipts and webhook notifications."""
    document: dict[str, Any] = request.app.state.keystore.jwks(datetime.now(UTC))
    response.headers["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE_SECONDS}"
    return Jwks.model_validate(document)
