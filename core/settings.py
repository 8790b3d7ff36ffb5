"""Settings read from `CATALOG_*` environment variables (and an optional `.env`)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import platformdirs
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEV = "dev"
    PROD = "prod"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("service-catalog"))


class Settings(BaseSettings):
    """Every setting has a working default in dev."""

    model_config = SettingsConfigDict(
        env_prefix="CATALOG_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)
    env: Environment = Environment.DEV
    auto_migrate: bool | None = None
    max_body_bytes: Annotated[int, Field(gt=0)] = 1024 * 1024
    anonymous_read: bool | None = None
    dev_roles: str = "ADMIN"
    statement_timeout_ms: Annotated[int, Field(gt=0)] = 5000

    @field_validator("database_url")
    @classmethod
    def _database_url_is_postgres(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql://", "postgresql+asyncpg://", "postgres://")):
            raise ValueError("must start with postgresql:// or postgresql+asyncpg://")
        return value

    @model_validator(mode="after")
    def _environment_defaults(self) -> Settings:
        is_dev = self.env is Environment.DEV
        if self.auto_migrate is None:
            object.__setattr__(self, "auto_migrate", is_dev)
        if self.anonymous_read is None:
            object.__setattr__(self, "anonymous_read", is_dev)
        return self

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def is_dev(self) -> bool:
        return self.env is Environment.DEV


class SettingsError(Exception):
    """A setting is wrong; the message is one line naming it."""


def describe_validation_error(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "settings"
    return f"CATALOG_{field.upper()}: {first['msg']}"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation error into one clear line."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None


def load_settings_or_exit(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as error:
        print(f"service-catalog: invalid setting {error}", file=sys.stderr)
        raise SystemExit(2) from None
