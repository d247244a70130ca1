"""Builds the key store, the authenticator, the importer and the rate limits from settings (lifespan and CLI)."""

from __future__ import annotations

from datetime import timedelta

from app.ratelimit import RateLimit, RateLimiter, RateLimits
from app.settings import Settings
from auth.authenticator import Authenticator, ExternalIdentityProvider
from auth.jwks_client import JwksCache
from auth.keys import KeyStore, load_keystore
from auth.outbound import OutboundClient, OutboundPolicy
from auth.secrets import SecretVerifier
from credentials.presentation_import import PresentationImport, PresentationPipeline
from credentials.resolvers import GraphNonces, StatusListResolver, TrustedIssuers
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


def build_outbound_policy(settings: Settings) -> OutboundPolicy:
    """The one policy of every outbound call; loopback only where `outbound_allow_loopback` says."""
    allow_loopback = (
        settings.is_development
        if settings.outbound_allow_loopback is None
        else settings.outbound_allow_loopback
    )
    return OutboundPolicy(
        allow_loopback=allow_loopback,
        allowed_hosts=frozenset(
            host.strip().lower()
            for host in settings.outbound_allowed_hosts.split(",")
            if host.strip()
        ),
        deadline_seconds=settings.http_timeout_seconds,
    )


def build_authenticator(
    settings: Settings, keystore: KeyStore, outbound: OutboundClient
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
            outbound,
            ttl_seconds=settings.jwks_cache_ttl_seconds,
            min_refresh_interval_seconds=settings.jwks_min_refresh_seconds,
        ),
        max_ttl_seconds=settings.access_token_max_ttl_seconds,
    )


def build_importer(settings: Settings, graph: Graph, outbound: OutboundClient) -> BundleImporter:
    """The import pipeline, with its own JWKS cache for partner keys."""
    return BundleImporter(
        graph,
        outbound,
        JwksCache(
            outbound,
            ttl_seconds=settings.jwks_cache_ttl_seconds,
            min_refresh_interval_seconds=settings.jwks_min_refresh_seconds,
        ),
        ImportSettings(
            platform_id=settings.platform_id,
            public_url=settings.public_url,
            max_bytes=settings.import_max_bytes,
            max_items=settings.import_max_items,
            single_tx_items=settings.import_single_tx_items,
        ),
    )


def build_rate_limits(settings: Settings) -> RateLimits:
    burst = settings.rate_limit_burst
    return RateLimits(
        token_client=RateLimit("token-client", settings.rate_limit_token_per_minute, burst),
        token_address=RateLimit(
            "token-address",
            settings.rate_limit_token_per_address_per_minute,
            settings.rate_limit_token_per_address_burst,
        ),
        token_global=RateLimit(
            "token-global",
            settings.rate_limit_token_global_per_minute,
            settings.rate_limit_token_global_burst,
        ),
        export=RateLimit("export", settings.rate_limit_export_per_minute, burst),
        imports=RateLimit("import", settings.rate_limit_import_per_minute, burst),
    )


def build_rate_limiter(settings: Settings, graph: Graph) -> RateLimiter:
    return RateLimiter(graph, build_rate_limits(settings))


def build_secret_verifier(settings: Settings) -> SecretVerifier:
    return SecretVerifier(
        workers=settings.secret_check_workers,
        max_pending=settings.secret_check_max_pending,
        nice=settings.secret_check_nice,
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


def build_presentation_pipeline(
    settings: Settings, graph: Graph, outbound: OutboundClient, keystore: KeyStore
) -> PresentationPipeline:
    """The presentation verifier and importer (`POST /v1/imports` with a presentation)."""
    keys = TrustedIssuers(
        graph,
        JwksCache(
            outbound,
            ttl_seconds=settings.jwks_cache_ttl_seconds,
            min_refresh_interval_seconds=settings.jwks_min_refresh_seconds,
        ),
        keystore,
        settings.public_url,
    )
    return PresentationPipeline(
        importer=PresentationImport(
            graph,
            public_url=settings.public_url,
            single_tx_items=settings.import_single_tx_items,
            max_items=settings.import_max_items,
        ),
        keys=keys,
        nonces=GraphNonces(graph),
        status_lists=StatusListResolver(graph, outbound, keys, settings.public_url),
        audience=settings.public_url,
        max_bytes=settings.import_max_bytes,
        max_age=timedelta(seconds=settings.presentation_max_age_seconds),
    )
