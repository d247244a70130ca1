"""Public discovery documents: the JWKS partners verify bundles and tokens against, and the JSON
Schemas of bundle claims sets at the URL each bundle names in its `rolodex.schema` member."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from app.errors import NotFoundError, problem_responses
from portability.bundle.models import SCHEMA_ID
from portability.bundle.schema import SUPPORTED_VERSIONS, schema_for

router = APIRouter(tags=["wellknown"])

JWKS_MAX_AGE_SECONDS = 300
SCHEMA_MAX_AGE_SECONDS = 86400
SCHEMA_MEDIA_TYPE = "application/schema+json"
BUNDLE_SCHEMA_PATH = urlsplit(SCHEMA_ID).path.replace("/v2.json", "/v{version}.json")
"""`/schemas/bundle/v{version}.json`: the path of every bundle schema's `$id`, served by each
instance, so `{iss}` + the path of a bundle's `rolodex.schema` fetches the schema it names."""


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


@router.get(
    BUNDLE_SCHEMA_PATH,
    name="bundle-schema",
    summary="JSON Schema of a bundle's claims set, by schema version",
    response_class=Response,
    responses={
        200: {
            "description": "The JSON Schema (2020-12) of the whole claims set of a bundle of "
            "this version: `iss`, `sub`, `aud`, the times, `jti` and the `rolodex` body.",
            "content": {SCHEMA_MEDIA_TYPE: {"schema": {"type": "object"}}},
        },
        **problem_responses(NotFoundError),
    },
)
async def bundle_schema(
    version: int = Path(description="The bundle's `rolodex.version`, e.g. 2."),
) -> Response:
    """The schema a bundle names in `rolodex.schema` (its `$id`), served at the same path by the
    issuing instance. Validate the whole JWS payload against it, not only the `rolodex` body."""
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        raise NotFoundError(f"No bundle schema version {version}; versions: {supported}.")
    return Response(
        json.dumps(schema_for(version), indent=2, sort_keys=False) + "\n",
        media_type=SCHEMA_MEDIA_TYPE,
        headers={"Cache-Control": f"public, max-age={SCHEMA_MAX_AGE_SECONDS}"},
    )
