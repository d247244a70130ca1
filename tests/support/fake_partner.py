"""A partner platform for import tests: its own keys, a real loopback HTTP server publishing its
JWKS and consent statuses, and bundles (schema v1 or v2) signed the way Rolodex signs them."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jose import jws as jose_jws

from auth import jws
from auth.keys import KeyRing, new_key
from portability.documents import BUNDLE_TYP, RECEIPT_TYP

V1_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bundle_v1_body.json"


class FakePartner:
    def __init__(self, platform_id: str = "acme") -> None:
        key = new_key("documents", datetime.now(UTC))
        self.ring = KeyRing(name="documents", keys=[key], active_kid=key.kid)
        self.platform_id = platform_id
        self.consent_status: dict[str, str] = {}
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body: dict[str, Any]
                if self.path == "/.well-known/jwks.json":
                    body = {"keys": [k.public_jwk() for k in partner.ring.keys]}
                    code = 200
                elif match := re.fullmatch(r"/v1/consents/([^/]+)/status", self.path):
                    consent_id = match.group(1)
                    state = partner.consent_status.get(consent_id)
                    code, body = (
                        (404, {"status": 404})
                        if state is None
                        else (200, {"consent_id": consent_id, "status": state})
                    )
                else:
                    code, body = 404, {}
                payload = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.jwks_url = f"{self.issuer}/.well-known/jwks.json"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def registration(self) -> dict[str, str]:
        return {
            "id": self.platform_id,
            "name": "Acme Learning",
            "issuer": self.issuer,
            "jwks_url": self.jwks_url,
        }

    # -- documents ------------------------------------------------------------------------------

    def receipt(
        self,
        *,
        subject: str,
        audience: str,
        consent_id: str,
        scopes: list[str],
        expires_in: int = 3600,
    ) -> str:
        now = int(datetime.now(UTC).timestamp())
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "nbf": now,
            "exp": now + expires_in,
            "jti": f"rcp-{consent_id}",
            "receipt": {
                "consent_id": consent_id,
                "scopes": scopes,
                "status_url": self.status_url(consent_id),
            },
        }
        self.consent_status.setdefault(consent_id, "active")
        return jws.sign(claims, self.ring.active, RECEIPT_TYP)

    def status_url(self, consent_id: str) -> str:
        return f"{self.issuer}/v1/consents/{consent_id}/status"

    def body_v2(
        self,
        *,
        subject: str,
        audience: str,
        scopes: list[str],
        contacts: int = 2,
        receipt_scopes: list[str] | None = None,
        consent_id: str = "cns_partner1",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "schema": "https://rolodex.dev/schemas/bundle/v2.json",
            "version": 2,
            "scopes": scopes,
            "consent": {
                "consent_id": consent_id,
                "receipt": self.receipt(
                    subject=subject,
                    audience=audience,
                    consent_id=consent_id,
                    scopes=receipt_scopes or scopes,
                ),
                "status_url": self.status_url(consent_id),
            },
        }
        if "profile" in scopes:
            body["profile"] = {
                "id": subject,
                "display_name": "Pat Partner",
                "skills": ["python"],
                "languages": ["en"],
            }
        if "contacts" in scopes:
            body["contacts"] = [
                {
                    "id": f"c{n}",
                    "kind": "card",
                    "fn": f"Contact Number{n}",
                    "email": f"c{n}@example.org",
                    "org": "Org",
                    "categories": ["colleague"],
                    "note": "from work",
                    "since": "2024-05-01",
                }
                for n in range(contacts)
            ]
        if "sessions" in scopes:
            body["sessions"] = [
                {
                    "id": "s1",
                    "mentorship_id": "m1",
                    "status": "completed",
                    "scheduled_at": "2026-01-05T10:00:00Z",
                }
            ]
        return body

    def bundle(
        self,
        body: dict[str, Any],
        *,
        subject: str,
        audience: str,
        jti: str = "bdl_1",
        issuer: str | None = None,
        iat_offset: int = 0,
        ttl: int = 3600,
        nbf_offset: int = 0,
        typ: str = BUNDLE_TYP,
    ) -> str:
        now = int((datetime.now(UTC) + timedelta(seconds=iat_offset)).timestamp())
        claims = {
            "iss": issuer or self.issuer,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "nbf": now + nbf_offset,
            "exp": now + ttl,
            "jti": jti,
            "rolodex": body,
        }
        return jws.sign(claims, self.ring.active, typ)

    def sign_raw(self, payload: str, typ: str = BUNDLE_TYP) -> str:
        """Sign an arbitrary payload text (e.g. JSON nested deeper than a JSON encoder allows)."""
        token: str = jose_jws.sign(
            payload.encode(),
            self.ring.active.private_jwk(),
            headers={"kid": self.ring.active_kid, "typ": typ},
            algorithm="ES256",
        )
        return token

    def v2(
        self,
        *,
        subject: str = "ext-pat",
        audience: str = "rolodex",
        scopes: list[str] | None = None,
        jti: str = "bdl_1",
        contacts: int = 2,
        **kwargs: Any,
    ) -> str:
        chosen = scopes or ["profile", "contacts"]
        return self.bundle(
            self.body_v2(subject=subject, audience=audience, scopes=chosen, contacts=contacts),
            subject=subject,
            audience=audience,
            jti=jti,
            **kwargs,
        )

    def v1(
        self, *, subject: str = "ext-vera", audience: str = "rolodex", jti: str = "bdl_v1"
    ) -> str:
        """A schema-v1 bundle built from the frozen fixture tests/fixtures/bundle_v1_body.json."""
        body = json.loads(V1_FIXTURE.read_text())
        body["consent_receipt"] = self.receipt(
            subject=subject, audience=audience, consent_id=body["consent_id"], scopes=body["scopes"]
        )
        body["status_url"] = self.status_url(body["consent_id"])
        return self.bundle(body, subject=subject, audience=audience, jti=jti)
