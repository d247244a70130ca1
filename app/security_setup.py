"""Builds the key store, the authenticator, the importer and the rate limits from settings (lifespan and CLI)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.ratelimit import RateLimit, RateLimits
from app.settings import Settings
from auth.authenticator import Authenticator, ExternalIdentityProvider
from auth.jwks_client import JwksCache
from auth.keys import KeyStore, load_keystore
from graph.db import Graph
from portability.importer import BundleImporter, ImportSettings
from portability.issuer import IssuerContext


def build_keystore(settings: Settings) -> KeyStore:
    """Development generates missing keys into `keys_dir`; production only loads them."""
    return load_keystore(
        settings.keys_dir,
        generate=settings.is_development,
        access_pem=settings.access_signing_key_pem.get_secret_value()
        if settings.access_signing_key_pem
        else None,
        documents_pem=(
            settings.documents_signing_key_pem.get_secret_value()
            if settings.documents_signing_key_pem
            else None
        ),
    )


def build_authenticator(
    settings: Settings, keystore: KeyStore, http_client: httpx.AsyncClient
) -> Authenticator:
    external = None
    if settings.external_idp_issuer and settings.external_idp_jwks_url:
        external = ExternalIdentityProvider(
            issuer=settings.external_idp_issuer,
            jwks_url=settings.external_idp_jwks_url,
            audience=settings.external_idp_audience or settings.access_token_audience,
        )
    return Authenticator(
        keystore.access,
        issuer=settings.public_url,
        audience=settings.access_token_audience,
        external=external,
        jwks_cache=JwksCache(
            http_client,
            ttl_seconds=settings.jwks_cache_ttl_seconds,
            allow_loopback_http=settings.is_development,
            timeout_seconds=settings.http_timeout_seconds,
            min_refresh_interval_seconds=settings.jwks_min_refresh_seconds,
        ),
        max_ttl_seconds=settings.access_token_max_ttl_seconds,
    )


def build_importer(
    settings: Settings, graph: Graph, http_client: httpx.AsyncClient
) -> BundleImporter:
    """The import pipeline, with its own JWKS cache for partner keys."""
    return BundleImporter(
        graph,
        http_client,
        JwksCache(
            http_client,
            ttl_seconds=settings.jwks_cache_ttl_seconds,
            allow_loopback_http=settings.is_development,
            timeout_seconds=settings.http_timeout_seconds,
            min_refresh_interval_seconds=settings.jwks_min_refresh_seconds,
        ),
        ImportSettings(
            platform_id=settings.platform_id,
            public_url=settings.public_url,
            max_bytes=settings.import_max_bytes,
            max_items=settings.import_max_items,
            single_tx_items=settings.import_single_tx_items,
            allow_loopback_http=settings.is_development,
            timeout_seconds=settings.http_timeout_seconds,
        ),
    )


def build_rate_limits(settings: Settings) -> RateLimits:
    burst = settings.rate_limit_burst
    return RateLimits(
        token=RateLimit(settings.rate_limit_token_per_minute, burst),
        export=RateLimit(settings.rate_limit_export_per_minute, burst),
        imports=RateLimit(settings.rate_limit_import_per_minute, burst),
    )


def issuer_context(settings: Settings) -> IssuerContext:
    """What receipts and bundles say about this instance."""
    return IssuerContext(
        issuer=settings.public_url,
        controller_name=settings.controller_name,
        privacy_policy_url=settings.privacy_policy_url,
        policy_version=settings.consent_policy_version,
        bundle_ttl=timedelta(seconds=settings.bundle_ttl_seconds),
    )
