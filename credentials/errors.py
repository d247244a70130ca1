"""Every refusal of a presentation, each carrying its own problem slug, title and HTTP status.

They extend the bundle life cycle's `PortabilityError` (portability/errors.py), so the API renders
them the same way (`https://rolodex.dev/problems/<slug>`) and the CLI prints their slug. Checks
that mean the same as for bundles (issuer trust, key by kid, signature, algorithm, audience,
bindings) raise the portability classes themselves.
"""

from __future__ import annotations

from portability.errors import (
    AlgorithmNotAllowedError,
    AudienceMismatchError,
    BindingRequiredError,
    IssuerUntrustedError,
    KeyNotFoundError,
    PortabilityError,
    SignatureInvalidError,
)


class PresentationError(PortabilityError):
    """A presentation (SD-JWT VC with key binding) was refused."""

    slug, title, status = "presentation-malformed", "Presentation malformed", 400


class PresentationMalformedError(PresentationError):
    slug, title, status = "presentation-malformed", "Presentation malformed", 400


class PresentationTooLargeError(PresentationError):
    slug, title, status = "presentation-too-large", "Presentation too large", 413


class PresentationHolderOnlyError(PresentationError):
    """A partner client (not the holder) sent a presentation."""

    slug, title, status = "presentation-holder-only", "Only the holder presents", 403


class CredentialTypeMismatchError(PresentationError):
    slug, title, status = "credential-type-mismatch", "Not an SD-JWT VC", 400


class CredentialExpiredError(PresentationError):
    slug, title, status = "credential-expired", "Credential expired", 422


class CredentialRevokedError(PresentationError):
    slug, title, status = "credential-revoked", "Credential revoked", 403


class StatusUnverifiableError(PresentationError):
    slug, title, status = "status-unverifiable", "Status unverifiable", 502


class DisclosureMalformedError(PresentationError):
    slug, title, status = "disclosure-malformed", "Disclosure malformed", 400


class DisclosureUnknownError(PresentationError):
    """A disclosure whose digest the issuer never signed (forged, or altered)."""

    slug, title, status = "disclosure-unknown", "Disclosure unknown", 422


class DisclosureDuplicatedError(PresentationError):
    slug, title, status = "disclosure-duplicated", "Disclosure duplicated", 422


class DigestDuplicatedError(PresentationError):
    slug, title, status = "digest-duplicated", "Digest duplicated", 422


class KeyBindingMissingError(PresentationError):
    slug, title, status = "key-binding-missing", "Key binding missing", 403


class KeyBindingInvalidError(PresentationError):
    slug, title, status = "key-binding-invalid", "Key binding invalid", 400


class KeyBindingSignatureInvalidError(PresentationError):
    """The key-binding JWT is not signed by the credential's holder key (`cnf.jwk`)."""

    slug, title, status = "key-binding-signature-invalid", "Key binding signature invalid", 403


class KeyBindingStaleError(PresentationError):
    slug, title, status = "key-binding-stale", "Key binding stale", 422


class SdHashMismatchError(PresentationError):
    slug, title, status = "sd-hash-mismatch", "sd_hash mismatch", 422


class NonceUnknownError(PresentationError):
    slug, title, status = "nonce-unknown", "Nonce unknown", 422


class NonceReusedError(PresentationError):
    slug, title, status = "nonce-reused", "Nonce reused", 409


class NonceExpiredError(PresentationError):
    slug, title, status = "nonce-expired", "Nonce expired", 422


PRESENTATION_REFUSALS: tuple[type[PortabilityError], ...] = (
    PresentationTooLargeError,
    PresentationMalformedError,
    AlgorithmNotAllowedError,
    CredentialTypeMismatchError,
    IssuerUntrustedError,
    KeyNotFoundError,
    SignatureInvalidError,
    CredentialExpiredError,
    DisclosureMalformedError,
    DisclosureDuplicatedError,
    DigestDuplicatedError,
    DisclosureUnknownError,
    KeyBindingMissingError,
    KeyBindingInvalidError,
    KeyBindingSignatureInvalidError,
    AudienceMismatchError,
    SdHashMismatchError,
    KeyBindingStaleError,
    NonceUnknownError,
    NonceReusedError,
    NonceExpiredError,
    CredentialRevokedError,
    StatusUnverifiableError,
    PresentationHolderOnlyError,
    BindingRequiredError,
)
"""Every refusal of `POST /v1/imports` with a presentation, in the order of the checks."""


def from_format_error(code: str, detail: str) -> PortabilityError:
    """The refusal for a structural problem `credentials.sdjwt` found (its codes are slugs)."""
    kind = next(
        (cls for cls in PRESENTATION_REFUSALS if cls.slug == code), PresentationMalformedError
    )
    return kind(detail)
