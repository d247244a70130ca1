"""Every refusal of the bundle life cycle, each carrying its own problem slug, title and HTTP status.

Raise the subclass that names the problem (`SignatureInvalidError("…")`); the API renders it as
`application/problem+json` with type `https://rolodex.dev/problems/<slug>` straight from the class
(app/errors.py), the CLI prints `error: <slug>: <detail>`. No table maps codes to statuses.
"""

from __future__ import annotations

from typing import ClassVar

from auth import jws


class PortabilityError(Exception):
    """A bundle, a receipt or a request about them was refused."""

    slug: ClassVar[str] = "bundle-malformed"
    title: ClassVar[str] = "Bundle malformed"
    status: ClassVar[int] = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def code(self) -> str:
        """The problem slug (kept for log fields and metric labels)."""
        return self.slug


class BundleMalformedError(PortabilityError):
    slug, title, status = "bundle-malformed", "Bundle malformed", 400


class BundleTooLargeError(PortabilityError):
    slug, title, status = "bundle-too-large", "Bundle too large", 413


class AlgorithmNotAllowedError(PortabilityError):
    slug, title, status = "algorithm-not-allowed", "Algorithm not allowed", 400


class UnsupportedMediaTypeError(PortabilityError):
    slug, title, status = "unsupported-media-type", "Unsupported media type", 415


class IssuerUntrustedError(PortabilityError):
    slug, title, status = "issuer-untrusted", "Issuer untrusted", 403


class KeyNotFoundError(PortabilityError):
    slug, title, status = "key-not-found", "Key not found", 403


class SignatureInvalidError(PortabilityError):
    slug, title, status = "signature-invalid", "Signature invalid", 403


class AudienceMismatchError(PortabilityError):
    slug, title, status = "audience-mismatch", "Audience mismatch", 422


class BundleExpiredError(PortabilityError):
    slug, title, status = "bundle-expired", "Bundle expired", 422


class BundleNotYetValidError(PortabilityError):
    slug, title, status = "bundle-not-yet-valid", "Bundle not yet valid", 422


class BundleReplayedError(PortabilityError):
    slug, title, status = "bundle-replayed", "Bundle replayed", 409


class ConsentMissingError(PortabilityError):
    slug, title, status = "consent-missing", "Consent missing", 422


class ConsentInvalidError(PortabilityError):
    slug, title, status = "consent-invalid", "Consent invalid", 422


class ConsentRevokedError(PortabilityError):
    slug, title, status = "consent-revoked", "Consent revoked", 403


class ConsentUnverifiableError(PortabilityError):
    slug, title, status = "consent-unverifiable", "Consent unverifiable", 502


class ScopeNotGrantedError(PortabilityError):
    slug, title, status = "scope-not-granted", "Scope not granted", 403


class SchemaInvalidError(PortabilityError):
    slug, title, status = "schema-invalid", "Schema invalid", 422


class BindingRequiredError(PortabilityError):
    """A person uploaded a bundle whose subject is not linked to them here."""

    slug, title, status = "binding-required", "Binding required", 403


class ProfileRequiredError(PortabilityError):
    """A person imports their own bundle before having a profile here."""

    slug, title, status = "not-found", "Not found", 404


class ConsentRequiredError(PortabilityError):
    """An export outside every active grant."""

    slug, title, status = "consent-required", "Consent required", 403


IMPORT_REFUSALS: tuple[type[PortabilityError], ...] = (
    BundleTooLargeError,
    BundleMalformedError,
    AlgorithmNotAllowedError,
    UnsupportedMediaTypeError,
    IssuerUntrustedError,
    KeyNotFoundError,
    SignatureInvalidError,
    AudienceMismatchError,
    BundleExpiredError,
    BundleNotYetValidError,
    BundleReplayedError,
    ConsentMissingError,
    ConsentInvalidError,
    ConsentRevokedError,
    ConsentUnverifiableError,
    ScopeNotGrantedError,
    SchemaInvalidError,
    BindingRequiredError,
)
"""Every refusal of `POST /v1/imports` (documented in OpenAPI and docs/partner-guide.md)."""


def from_jws_error(error: jws.JwsError) -> PortabilityError:
    """The bundle problem for a refusal of the JWS layer (its codes are shared with access tokens)."""
    kind: type[PortabilityError]
    match error.code:
        case "too-large":
            kind = BundleTooLargeError
        case "algorithm-not-allowed":
            kind = AlgorithmNotAllowedError
        case "key-not-found":
            kind = KeyNotFoundError
        case "signature-invalid":
            kind = SignatureInvalidError
        case "expired":
            kind = BundleExpiredError
        case "not-yet-valid":
            kind = BundleNotYetValidError
        case "issuer-mismatch":
            kind = IssuerUntrustedError
        case "audience-mismatch":
            kind = AudienceMismatchError
        case _:
            kind = BundleMalformedError
    return kind(error.description)
