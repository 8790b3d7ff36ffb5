"""Settings read from `CATALOG_*` environment variables (and an optional `.env`)."""

from __future__ import annotations

import json
import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

import platformdirs
from limits import parse as parse_rate
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from core.db_tls import DatabaseTlsError, split_tls
from core.document_manifest import read_manifest
from core.oidc_settings import ROLE_NAMES, IssuerConfig
from core.origins import exact_origin
from core.retention_settings import RETENTION_BOUNDS, check_retention
from core.salesforce_settings import SalesforceOrgConfig, check_orgs

OUTAGE_SEVERITY_NAMES = frozenset({"SEV1", "SEV2", "SEV3", "SEV4"})

PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "dev", "development", "placeholder"}


class Environment(StrEnum):
    DEV = "dev"
    PROD = "prod"


class Introspection(StrEnum):
    """Who may send `__schema` and `__type` queries (`__typename` is always allowed)."""

    AUTHENTICATED = "authenticated"
    PUBLIC = "public"
    OFF = "off"


class TrustedDocuments(StrEnum):
    """Which documents run: `off` (any; APQ, and manifest ids if a manifest is set),
    `allow` (any, and manifest ids), `enforce` (only the manifest's)."""

    OFF = "off"
    ALLOW = "allow"
    ENFORCE = "enforce"


class DatabasePooler(StrEnum):
    """What CATALOG_DATABASE_URL points at: PostgreSQL (`none`) or PgBouncer in transaction
    pooling mode (`pgbouncer-transaction`: no prepared-statement caches, session settings
    left to PgBouncer; see docs/deploying-with-pgbouncer.md)."""

    NONE = "none"
    PGBOUNCER_TRANSACTION = "pgbouncer-transaction"


class ReadPath(StrEnum):
    """Which path answers a query: one compiled SQL statement, the resolvers, or both
    compared (`verify`, for tests)."""

    COMPILED = "compiled"
    RESOLVERS = "resolvers"
    VERIFY = "verify"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("service-catalog"))


class Settings(BaseSettings):
    """Every setting has a working default in dev."""

    model_config = SettingsConfigDict(
        env_prefix="CATALOG_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str | None = None
    database_pooler: DatabasePooler = DatabasePooler.NONE
    # PostgreSQL itself, past any pooler: LISTEN connections and migrations (which hold
    # session state) use it; unset, CATALOG_DATABASE_URL.
    database_direct_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)
    env: Environment = Environment.DEV
    auto_migrate: bool | None = None
    max_body_bytes: Annotated[int, Field(gt=0)] = 1024 * 1024
    max_depth: Annotated[int, Field(gt=0)] = 12
    max_aliases: Annotated[int, Field(ge=0)] = 30
    max_tokens: Annotated[int, Field(gt=0)] = 2000
    max_cost: Annotated[int, Field(gt=0)] = 25_000
    cost_per_minute: Annotated[int, Field(ge=0)] = 0
    execution_timeout_s: Annotated[float, Field(gt=0, le=3600)] = 10
    anonymous_read: bool | None = None
    introspection: Introspection | None = None
    graphiql: bool | None = None
    read_path: ReadPath = ReadPath.COMPILED
    dev_roles: str = "ADMIN"
    oidc_issuers: tuple[IssuerConfig, ...] = ()
    session_secret: str | None = None
    public_url: str | None = None
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    trusted_documents: TrustedDocuments = TrustedDocuments.OFF
    trusted_documents_file: Path | None = None
    scim_token: str | None = None
    scim_issuer: str | None = None
    # Bearer token of backup tools posting to /api/backups; unset: the route answers 404.
    backup_webhook_token: Annotated[str | None, Field(min_length=16)] = None
    statement_timeout_ms: Annotated[int, Field(gt=0)] = 5000
    # The connection pool of each process (SQLAlchemy's QueuePool): connections kept open,
    # extra ones opened under load, and how long a request waits for one before failing.
    database_pool_size: Annotated[int, Field(ge=1, le=1000)] = 5
    database_max_overflow: Annotated[int, Field(ge=0, le=1000)] = 10
    database_pool_timeout_s: Annotated[float, Field(gt=0, le=600)] = 30
    # `service-catalog worker` serves its job and Salesforce metrics on this port (unset: not).
    worker_metrics_port: Annotated[int | None, Field(ge=1, le=65535)] = None
    anonymous_feedback: bool = False
    feedback_rate_limit: str = "10/minute"
    redis_url: str | None = None
    salesforce_orgs: dict[str, SalesforceOrgConfig] = Field(default_factory=dict)
    salesforce_ca_bundle: Path | None = None
    salesforce_timeout_s: Annotated[float, Field(gt=0, le=300)] = 5
    salesforce_cache_ttl_s: Annotated[float, Field(ge=0)] = 60
    # A job reading an org stops once the org's API calls of the last 24 hours (its
    # Sforce-Limit-Info) reach this share of its daily limit, and says so.
    salesforce_job_api_share: Annotated[float, Field(gt=0, le=1)] = 0.8
    # Event Monitoring: how far back an org's first read of its EventLogFile logs goes
    # (Salesforce keeps them 30 days, a year with Shield), and the rows past which a report
    # or Bulk API export of sensitive data is flagged LARGE_EXPORT.
    event_monitoring_backfill_days: Annotated[int, Field(ge=1, le=366)] = 30
    event_monitoring_export_rows: Annotated[int, Field(ge=1)] = 10_000
    # The Status an imported Idea is given once the release delivering it ships.
    salesforce_idea_delivered_status: Annotated[str, Field(min_length=1, max_length=255)] = (
        "Delivered"
    )
    # The Salesforce Trust status API (https://api.status.salesforce.com in production); unset:
    # no vendor incidents are read and objectives answer without the vendor split.
    salesforce_trust_url: Annotated[str | None, Field(pattern=r"^https://\S+$")] = None
    # Vendor incidents older than this (not read in full since) are stale: objectives then
    # answer without the vendor split, and say so.
    salesforce_trust_stale_s: Annotated[float, Field(gt=0)] = 3600
    incident_hourly_rate: Annotated[float, Field(ge=0)] = 100
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    sla_warning_percent: Annotated[float, Field(gt=0, lt=100)] = 75
    outage_severities: Annotated[tuple[str, ...], NoDecode] = ("SEV1", "SEV2")
    org_timezone: str = "UTC"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console", "auto"] = "auto"
    # Retention, in days, per kind `purge` keeps (bounds: core/retention_settings.py).
    retention_audit_days: int = 400
    """Audit events older than this are removed; 0 keeps them forever; at least 90."""
    retention_history_days: int = 0
    """Row history older than this is removed; 0 (the default) keeps it forever; at least 90."""
    retention_requests_days: int = 0
    """Requests closed, rejected or fulfilled longer ago than this are removed with their status
    changes and history. KPIs count them, so 0 (the default) keeps them forever; at least 732."""
    retention_incidents_days: int = 0
    """Incidents resolved or closed longer ago than this are removed with their status changes
    and history. Availability, MTTR and cost count them: 0 (the default) keeps them forever;
    at least 732."""
    retention_measurements_days: int = 0
    """Measurements older than this are removed. Roll-ups and objectives read them: 0 (the
    default) keeps them forever; at least 732."""
    retention_sla_events_days: int = 1095
    """SLA events (at risk, breached, recovered) older than this are removed: three years by
    default, the length of a typical support contract; 0 keeps them forever; at least 732."""
    retention_feedback_days: int = 365
    """Anonymous feedback's contact email is erased this long after it was submitted; the
    feedback, its votes and ratings are kept, so counts and satisfaction stay true. 0 keeps
    the emails forever; at least 30."""
    retention_people_days: int = 90
    """A person deactivated (and not changed since) this long ago is anonymised: email, name,
    SCIM userName and attributes replaced, in their history too; the row and everything that
    refers to it are kept. 0 never anonymises; at least 30, so a mistaken deactivation can be
    undone."""
    retention_idempotency_keys_days: int = 1
    """Idempotency keys are removed this long after they were made, once expired (they replay
    for 24 hours). From 1 to 30."""
    retention_sign_in_states_days: int = 1
    """Sign-in states and browser sessions are removed this long after they expired. From 1
    to 30: they hold tokens and serve nothing once expired."""
    retention_deliveries_days: int = 90
    retention_salesforce_activity_days: int = 400
    retention_data_access_days: int = 400
    """Notification deliveries written longer ago than this are removed, whatever their
    status; 0 keeps them forever; at least 2 (a failing delivery is retried for a day)."""
    # Email notifications: smtp:// (STARTTLS when offered) or smtps://, with user:password@
    # when the server wants a login; unset, no email is sent (deliveries wait, then die).
    smtp_url: str | None = None
    mail_from: str = "Service Catalog <service-catalog@localhost>"
    # Webhook, Slack and Teams URLs may point at private, loopback or link-local addresses
    # (default: only in dev).
    webhook_allow_private: bool | None = None

    @field_validator("log_level", "log_format", "introspection", "trusted_documents", mode="before")
    @classmethod
    def _case_insensitive(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    @field_validator(*RETENTION_BOUNDS)
    @classmethod
    def _retention_within_bounds(cls, value: int, info: ValidationInfo) -> int:
        assert info.field_name is not None
        return check_retention(info.field_name, value)

    @field_validator("database_url", "database_direct_url")
    @classmethod
    def _database_url_is_postgres(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql://", "postgresql+asyncpg://", "postgres://")):
            raise ValueError("must start with postgresql:// or postgresql+asyncpg://")
        try:
            split_tls(value)
        except DatabaseTlsError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("feedback_rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        try:
            parse_rate(value)
        except ValueError:
            raise ValueError("use a rate such as 10/minute or 100/hour") from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// or rediss://")
        return value or None

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("smtp://", "smtps://")):
            raise ValueError("must start with smtp:// or smtps://")
        return value or None

    @field_validator("salesforce_orgs")
    @classmethod
    def _one_support_org(
        cls, value: dict[str, SalesforceOrgConfig]
    ) -> dict[str, SalesforceOrgConfig]:
        return check_orgs(value)

    @field_validator("dev_roles")
    @classmethod
    def _dev_roles_known(cls, value: str) -> str:
        for role in value.split(","):
            if role.strip() and role.strip().upper() not in ROLE_NAMES:
                raise ValueError(f"unknown role {role.strip()!r}")
        return value

    @field_validator("outage_severities", mode="before")
    @classmethod
    def _severities_as_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip().upper() for part in value.split(",") if part.strip())
        if isinstance(value, tuple | list):
            unknown = [item for item in value if item not in OUTAGE_SEVERITY_NAMES]
            if unknown or not value:
                raise ValueError("a comma-separated list of SEV1, SEV2, SEV3, SEV4")
        return value

    @field_validator("org_timezone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)")
        return value

    @field_validator("trusted_proxies", "cors_origins", mode="before")
    @classmethod
    def _list_from_text(cls, value: object) -> object:
        """A comma-separated list or a JSON list."""
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                return json.loads(value)
            except ValueError as error:
                raise ValueError(f"not valid JSON ({error})") from None
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("cors_origins")
    @classmethod
    def _exact_origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(exact_origin(origin) for origin in value))

    @field_validator("trusted_documents_file")
    @classmethod
    def _manifest_reads(cls, value: Path | None) -> Path | None:
        if value is not None:
            read_manifest(value)
        return value

    @model_validator(mode="after")
    def _trusted_documents_have_a_manifest(self) -> Settings:
        if self.trusted_documents is not TrustedDocuments.OFF and not self.trusted_documents_file:
            raise ValueError(
                f"CATALOG_TRUSTED_DOCUMENTS_FILE: {self.trusted_documents.value!r} trusted"
                " documents need a manifest file"
            )
        return self

    @model_validator(mode="after")
    def _pooler_has_a_direct_url(self) -> Settings:
        if self.uses_transaction_pooler and self.database_direct_url is None:
            raise ValueError(
                "CATALOG_DATABASE_DIRECT_URL: behind a transaction pooler, LISTEN and migrations"
                " need PostgreSQL's own URL"
            )
        return self

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.env is not Environment.PROD:
            return self
        if not self.oidc_issuers:
            raise ValueError("CATALOG_OIDC_ISSUERS: production needs at least one issuer")
        if any(issuer.uses_http for issuer in self.oidc_issuers):
            raise ValueError("CATALOG_OIDC_ISSUERS: production refuses http:// issuers")
        secret = self.session_secret or ""
        if len(secret.encode()) < 32 or secret.lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "CATALOG_SESSION_SECRET: production needs a random secret of 32 bytes or more"
            )
        return self

    @property
    def scim_issuer_config(self) -> IssuerConfig | None:
        """The issuer whose people SCIM manages: CATALOG_SCIM_ISSUER, else the first."""
        for issuer in self.oidc_issuers:
            if self.scim_issuer in (None, issuer.issuer):
                return issuer
        return None

    @model_validator(mode="after")
    def _environment_defaults(self) -> Settings:
        is_dev = self.env is Environment.DEV
        if self.auto_migrate is None:
            object.__setattr__(self, "auto_migrate", is_dev)
        if self.anonymous_read is None:
            object.__setattr__(self, "anonymous_read", is_dev)
        if self.graphiql is None:
            object.__setattr__(self, "graphiql", is_dev)
        if self.webhook_allow_private is None:
            object.__setattr__(self, "webhook_allow_private", is_dev)
        if self.introspection is None:
            default = Introspection.PUBLIC if is_dev else Introspection.AUTHENTICATED
            object.__setattr__(self, "introspection", default)
        return self

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def uses_transaction_pooler(self) -> bool:
        return self.database_pooler is DatabasePooler.PGBOUNCER_TRANSACTION

    def direct_database_url(self, url: str) -> str:
        """PostgreSQL itself, for LISTEN and migrations: CATALOG_DATABASE_DIRECT_URL when
        `url` (the database in use) is CATALOG_DATABASE_URL, else `url`."""
        if self.database_direct_url is not None and url == self.database_url:
            return self.database_direct_url
        return url

    @property
    def pool_options(self) -> dict[str, Any]:
        """`make_engine`'s pool arguments (its own pool's, and the pooler's in front)."""
        return {
            "pool_size": self.database_pool_size,
            "max_overflow": self.database_max_overflow,
            "pool_timeout": self.database_pool_timeout_s,
            "transaction_pooler": self.uses_transaction_pooler,
        }

    @property
    def is_dev(self) -> bool:
        return self.env is Environment.DEV


class SettingsError(Exception):
    """A setting is wrong; the message is one line naming it."""


def one_line(text: str) -> str:
    return " ".join(text.split())


def describe_validation_error(error: ValidationError) -> str:
    first = error.errors()[0]
    message = one_line(str(first["msg"]).removeprefix("Value error, "))
    location = first["loc"]
    if not location:
        # A cross-field rule names its own variable.
        return message if message.startswith("CATALOG_") else f"settings: {message}"
    variable = f"CATALOG_{str(location[0]).upper()}"
    inside = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location[1:])
    return f"{variable}: {inside.lstrip('.')}: {message}" if inside else f"{variable}: {message}"


def describe_source_error(error: SourceError) -> str:
    """pydantic-settings fails before validation when a JSON-valued variable is not JSON."""
    field = re.search(r'field "([^"]+)"', str(error))
    variable = f"CATALOG_{field[1].upper()}" if field else "settings"
    cause = f" ({one_line(str(error.__cause__))})" if error.__cause__ else ""
    return f"{variable}: not valid JSON{cause}"


# A directory of files named after the variables (CATALOG_DATABASE_URL, ...), each holding
# its value: how Kubernetes and Docker mount secrets. A variable set in the environment wins.
SECRETS_DIR_VARIABLE = "CATALOG_SECRETS_DIR"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation error into one clear line."""
    secrets_dir = os.environ.get(SECRETS_DIR_VARIABLE, "").strip()
    if secrets_dir and "_secrets_dir" not in overrides:
        if not Path(secrets_dir).is_dir():
            raise SettingsError(f"{SECRETS_DIR_VARIABLE}: not a directory: {secrets_dir}")
        overrides["_secrets_dir"] = secrets_dir
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None
    except SourceError as error:
        raise SettingsError(describe_source_error(error)) from None


def load_settings_or_exit(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as error:
        print(f"service-catalog: invalid setting {error}", file=sys.stderr)
        raise SystemExit(2) from None
