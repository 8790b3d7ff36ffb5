"""Settings: working defaults in dev, safe ones in prod, one clear line for a wrong value."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.oidc_settings import IssuerConfig
from core.settings import Environment, Introspection, SettingsError, load_settings

SERVICE_CATALOG = Path(sys.executable).with_name("service-catalog")
ISSUER = IssuerConfig(issuer="https://idp.example.com/realms/catalog", audience="service-catalog")


@pytest.fixture(autouse=True)
def no_catalog_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what a test sets counts: no CATALOG_* from the caller, no `.env`."""
    for name in list(os.environ):
        if name.startswith("CATALOG_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_dev_is_the_default_and_migrates_and_reads_anonymously() -> None:
    settings = load_settings()

    assert settings.env is Environment.DEV
    assert settings.auto_migrate is True
    assert settings.anonymous_read is True
    assert settings.introspection is Introspection.PUBLIC
    assert settings.uses_embedded_database
    assert settings.max_body_bytes == 1024 * 1024


def test_prod_neither_migrates_nor_reads_anonymously_by_default() -> None:
    settings = load_settings(
        env="prod", oidc_issuers=(ISSUER,), session_secret=secrets.token_urlsafe(32)
    )

    assert settings.env is Environment.PROD
    assert settings.auto_migrate is False
    assert settings.anonymous_read is False
    assert settings.introspection is Introspection.AUTHENTICATED


def test_prod_defaults_can_be_overridden_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CATALOG_ENV", "prod")
    monkeypatch.setenv("CATALOG_OIDC_ISSUERS", f"[{ISSUER.model_dump_json()}]")
    monkeypatch.setenv("CATALOG_SESSION_SECRET", secrets.token_urlsafe(32))
    monkeypatch.setenv("CATALOG_AUTO_MIGRATE", "true")

    settings = load_settings()

    assert settings.auto_migrate is True
    assert settings.oidc_issuers == (ISSUER,)


def test_trusted_proxies_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_TRUSTED_PROXIES", "10.0.0.1, 10.1.0.0/16")

    assert load_settings().trusted_proxies == ("10.0.0.1", "10.1.0.0/16")


def test_trusted_proxies_may_be_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_TRUSTED_PROXIES", '["10.0.0.1"]')

    assert load_settings().trusted_proxies == ("10.0.0.1",)


def test_introspection_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_INTROSPECTION", "OFF")

    assert load_settings().introspection is Introspection.OFF


def test_prod_refuses_a_placeholder_secret() -> None:
    with pytest.raises(SettingsError, match=r"^CATALOG_SESSION_SECRET: "):
        load_settings(env="prod", oidc_issuers=(ISSUER,), session_secret="changeme")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CATALOG_MAX_BODY_BYTES", "abc"),
        ("CATALOG_MAX_BODY_BYTES", "0"),
        ("CATALOG_ENV", "staging"),
        ("CATALOG_DATABASE_URL", "mysql://x"),
        ("CATALOG_AUTO_MIGRATE", "maybe"),
        ("CATALOG_DEV_ROLES", "KING"),
        ("CATALOG_OIDC_ISSUERS", "not json"),
        ("CATALOG_OIDC_ISSUERS", '[{"issuer": "ftp://idp.example.com", "audience": "x"}]'),
        ("CATALOG_TRUSTED_PROXIES", "[10.0.0.1"),
        ("CATALOG_INTROSPECTION", "anonymous"),
    ],
)
def test_a_wrong_value_stops_the_cli_with_one_line_naming_it(
    variable: str, value: str, tmp_path: Path
) -> None:
    environment = {
        name: setting for name, setting in os.environ.items() if not name.startswith("CATALOG_")
    }
    environment |= {variable: value, "CATALOG_DATA_DIR": str(tmp_path / "data")}

    result = subprocess.run(
        [str(SERVICE_CATALOG), "migrate"],
        env=environment,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"service-catalog: invalid setting {variable}: "), lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # stopped before touching any database


def test_a_secret_is_read_from_its_file_in_the_secrets_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    # As Kubernetes mounts a Secret's key: named after the variable, often with a newline.
    (secrets_dir / "CATALOG_DATABASE_URL").write_text("postgresql://u:pw@db.example.com/catalog\n")
    monkeypatch.setenv("CATALOG_SECRETS_DIR", str(secrets_dir))

    assert load_settings().database_url == "postgresql://u:pw@db.example.com/catalog"

    monkeypatch.setenv("CATALOG_DATABASE_URL", "postgresql://other.example.com/catalog")
    assert load_settings().database_url == "postgresql://other.example.com/catalog"


def test_a_secrets_directory_that_is_not_there_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CATALOG_SECRETS_DIR", str(tmp_path / "missing"))

    with pytest.raises(SettingsError, match=r"^CATALOG_SECRETS_DIR: not a directory: "):
        load_settings()


async def test_the_pool_settings_size_the_engines_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.db import make_engine

    monkeypatch.setenv("CATALOG_DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("CATALOG_DATABASE_MAX_OVERFLOW", "0")
    monkeypatch.setenv("CATALOG_DATABASE_POOL_TIMEOUT_S", "2.5")
    settings = load_settings()

    engine = make_engine("postgresql://db.example.com/catalog", **settings.pool_options)
    try:
        pool: Any = engine.sync_engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (3, 0, 2.5)
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("CATALOG_DATABASE_POOL_SIZE", "0"), ("CATALOG_DATABASE_MAX_OVERFLOW", "-1")],
)
def test_a_pool_setting_out_of_range_is_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError, match=f"^{variable}: "):
        load_settings()
