"""Service settings, read from the environment (`ROLODEX_*` plus the standard `NEO4J_*` names).

Built once in the app factory or a CLI command, never at import time, so tests can pass their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DASHBOARD_BUILD_DIR = Path(__file__).resolve().parent / "static" / "dashboard"
"""Where `make dashboard` (esbuild, in dashboard/) writes the admin page and its assets."""

DEVELOPMENT_NEO4J_PASSWORD = "rolodex-dev-password"  # noqa: S105 - refused outside development

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    """Every knob of the service. Secrets are `SecretStr` so they never print by accident."""

    model_config = SettingsConfigDict(env_prefix="ROLODEX_", extra="ignore", populate_by_name=True)

    environment: Environment = "development"
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL this instance is reached at; used as token and bundle issuer.",
    )
    log_level: str = "INFO"

    neo4j_uri: str = Field(
        default="bolt://127.0.0.1:7687",
        validation_alias=AliasChoices("NEO4J_URI", "ROLODEX_NEO4J_URI"),
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias=AliasChoices("NEO4J_USER", "ROLODEX_NEO4J_USER")
    )
    neo4j_password: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_NEO4J_PASSWORD),
        validation_alias=AliasChoices("NEO4J_PASSWORD", "ROLODEX_NEO4J_PASSWORD"),
    )
    neo4j_database: str = Field(
        default="neo4j",
        validation_alias=AliasChoices("NEO4J_DATABASE", "ROLODEX_NEO4J_DATABASE"),
    )
    neo4j_connect_attempts: int = Field(default=10, ge=1, le=100)
    neo4j_connect_backoff_seconds: float = Field(default=0.5, gt=0, le=30)
    neo4j_ready_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    migrate_on_startup: bool = True

    http_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Total deadline of every outbound call (DNS, connect, send, whole answer).",
    )
    outbound_allow_loopback: bool | None = Field(
        default=None,
        description="Let outbound calls reach loopback addresses (and http:// on loopback); "
        "default: outside production only.",
    )
    outbound_allowed_hosts: str = Field(
        default="",
        description="Comma-separated host names or IPs exempt from the outbound address rules "
        "(partners deliberately reached on a private network); https is still required.",
    )

    # Limits and observability.
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body accepted (413 above it); imports keep import_max_bytes.",
    )
    metrics_enabled: bool = Field(
        default=True, description="Serve GET /metrics (Prometheus) to admins or the scrape token."
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="A static bearer token a Prometheus scraper may use for /metrics."
    )

    # Keys and tokens.
    keys_dir: Path = Field(
        default=Path("var/keys"), description="Key rings (PEM files), outside the repo."
    )
    access_signing_key_pem: SecretStr | None = Field(
        default=None, description="Active access-token key as PEM."
    )
    documents_signing_key_pem: SecretStr | None = Field(
        default=None, description="Active bundle/receipt key as PEM."
    )
    key_rotation_grace_seconds: int = Field(default=30 * 24 * 3600, ge=0)
    token_audience: str | None = Field(
        default=None, description="`aud` of access tokens; default public_url."
    )
    access_token_ttl_seconds: int = Field(
        default=3600, ge=60, le=24 * 3600, description="Lifetime of tokens /oauth/token issues."
    )
    access_token_max_ttl_seconds: int = Field(
        default=3600,
        ge=60,
        le=24 * 3600,
        description="Longest lifetime (exp - iat) of an access token the API accepts and "
        "`rolodex tokens issue` mints.",
    )
    external_idp_issuer: str | None = None
    external_idp_jwks_url: str | None = None
    external_idp_audience: str | None = None
    jwks_cache_ttl_seconds: float = Field(default=300.0, ge=0)
    jwks_min_refresh_seconds: float = Field(
        default=10.0,
        ge=0,
        description="At most one refetch per JWKS URL this often, on an unknown kid.",
    )

    # Bundles.
    platform_id: str = Field(
        default="rolodex",
        pattern=r"^[A-Za-z0-9._-]{1,64}$",
        description="This instance's platform id at its partners: the `aud` of bundles meant for it.",
    )
    bundle_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=60, le=365 * 24 * 3600)
    import_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    import_max_items: int = Field(default=50_000, ge=1)
    import_single_tx_items: int = Field(default=5_000, ge=1)
    import_staging_ttl_seconds: int = Field(
        default=3600,
        ge=0,
        description="At start-up, staged items of imports older than this (a crash mid-staging) are swept.",
    )

    vcard_import_max_cards: int = Field(
        default=5_000,
        ge=1,
        description="Most cards one contacts.vcf upload may hold (the body keeps max_body_bytes).",
    )

    # SD-JWT VC credentials (docs/credentials.md).
    credential_ttl_seconds: int = Field(
        default=180 * 24 * 3600, ge=60, le=2 * 365 * 24 * 3600, description="Credential lifetime."
    )
    status_list_size: int = Field(
        default=131_072,
        ge=8,
        multiple_of=8,
        description="Entries per status list; indexes are drawn at random among free ones.",
    )
    status_list_ttl_seconds: int = Field(
        default=300, ge=1, description="`ttl` of status list tokens: how long verifiers cache them."
    )
    status_list_lifetime_seconds: int = Field(
        default=24 * 3600, ge=60, description="`exp` of a status list token, from its `iat`."
    )
    presentation_nonce_ttl_seconds: int = Field(
        default=300, ge=1, le=3600, description="How long a presentation nonce stays usable."
    )
    presentation_max_age_seconds: int = Field(
        default=300, ge=1, le=3600, description="Oldest `iat` of a key-binding JWT accepted."
    )

    # Consent receipts and webhooks.
    controller_name: str = "Rolodex"
    privacy_policy_url: str = "https://rolodex.dev/privacy"
    consent_policy_version: str = "2026-11"
    webhook_worker_enabled: bool = True
    webhook_poll_seconds: float = Field(default=5.0, gt=0, le=3600)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    webhook_backoff_base_seconds: float = Field(default=10.0, ge=0)
    webhook_backoff_cap_seconds: float = Field(default=3600.0, ge=0)
    webhook_max_attempts: int = Field(default=10, ge=1, le=100)

    # Metrics.
    sla_target_hours: float = Field(
        default=48.0,
        gt=0,
        le=24 * 90,
        description="Mentor response SLA target in hours (ROLODEX_SLA_TARGET_HOURS).",
    )

    # Rate limits per principal (requests per minute, burst).
    rate_limit_token_per_minute: int = Field(default=30, ge=1)
    rate_limit_export_per_minute: int = Field(default=60, ge=1)
    rate_limit_import_per_minute: int = Field(default=30, ge=1)
    rate_limit_burst: int = Field(default=10, ge=1)
    rate_limit_token_per_address_per_minute: int = Field(
        default=60, ge=1, description="Token requests a minute from one source address."
    )
    rate_limit_token_per_address_burst: int = Field(default=20, ge=1)
    rate_limit_token_global_per_minute: int = Field(
        default=600,
        ge=1,
        description="Token requests a minute from everyone together: the ceiling on Argon2 work.",
    )
    rate_limit_token_global_burst: int = Field(default=100, ge=1)
    secret_check_workers: int = Field(
        default=2, ge=1, le=64, description="Threads that check client secrets (Argon2)."
    )
    secret_check_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="CPU priority (nice) of the secret-check threads, below the event loop's.",
    )
    secret_check_max_pending: int = Field(
        default=16,
        ge=1,
        description="Secret checks admitted at once (running and waiting); more answer 429.",
    )

    # The admin dashboard at /admin: its built page and assets (see docs/dashboard.md).
    dashboard_dir: Path = Field(
        default=DASHBOARD_BUILD_DIR,
        description="The dashboard build output: index.html and assets/.",
    )

    # The person's page at /me (see docs/mypage.md): OpenID Connect sign-in in the browser.
    oidc_issuer: str | None = Field(
        default=None,
        description="The IdP the page signs people in with; default external_idp_issuer.",
    )
    oidc_client_id: str | None = Field(
        default=None, description="The page's public client id at the IdP (code flow + PKCE)."
    )
    oidc_scopes: str = Field(
        default="openid profile email", description="Scopes the page asks the IdP for."
    )
    oidc_redirect_path: str = Field(
        default="/me",
        pattern=r"^/[A-Za-z0-9/_.-]*$",
        description="Where the IdP sends the browser back (registered at the IdP).",
    )
    oidc_resource: str | None = Field(
        default=None,
        description="An RFC 8707 `resource` to ask the IdP for (the access tokens' audience).",
    )
    dev_sign_in: bool = Field(
        default=True,
        description="Outside production, /me offers 'sign in as' a demo person (never in production).",
    )

    # The local Neo4j that `rolodex neo4j start` runs (development and tests only).
    local_neo4j_home: Path = Path("var/neo4j")
    local_neo4j_port: int = Field(default=7687, ge=1024, le=65535)
    local_neo4j_heap: str = "2g"
    local_neo4j_pagecache_mib: int = Field(default=2048, ge=64)
    cache_dir: Path = Path(".cache")

    @property
    def is_development(self) -> bool:
        return self.environment != "production"

    @property
    def page_oidc_issuer(self) -> str | None:
        return self.oidc_issuer or self.external_idp_issuer

    @property
    def dev_sign_in_allowed(self) -> bool:
        return self.dev_sign_in and self.environment != "production"

    @property
    def access_token_audience(self) -> str:
        return self.token_audience or self.public_url

    @model_validator(mode="after")
    def _token_lifetime_within_the_maximum(self) -> Settings:
        if self.access_token_ttl_seconds > self.access_token_max_ttl_seconds:
            raise ValueError(
                "access_token_ttl_seconds exceeds access_token_max_ttl_seconds "
                f"({self.access_token_max_ttl_seconds})"
            )
        return self

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> Settings:
        if (
            self.environment == "production"
            and self.neo4j_password.get_secret_value() == DEVELOPMENT_NEO4J_PASSWORD
        ):
            raise ValueError(
                "NEO4J_PASSWORD must be set in production (the development default is refused)"
            )
        return self
