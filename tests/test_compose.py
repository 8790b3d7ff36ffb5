"""docker-compose.yml stays consistent with the settings (no Docker engine needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SETTING_FIELDS = set(Settings.model_fields)


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, Any] = compose["services"]
    return services


def environment(service: dict[str, Any]) -> dict[str, str]:
    """Both compose forms: a mapping, or a list of NAME=value."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return dict(item.partition("=")[::2] for item in raw)
    return {name: str(value) for name, value in raw.items()}


def test_every_catalog_variable_is_a_setting(services: dict[str, Any]) -> None:
    passed = {
        (name, variable)
        for name, service in services.items()
        for variable in environment(service)
        if variable.startswith("CATALOG_")
    }
    assert passed
    unknown = sorted(
        f"{name}: {variable}"
        for name, variable in passed
        if variable.removeprefix("CATALOG_").lower() not in SETTING_FIELDS
    )
    assert unknown == [], "not fields of core.settings.Settings"


def test_api_gets_a_postgres_url_and_a_known_environment(services: dict[str, Any]) -> None:
    api = environment(services["api"])

    assert api["CATALOG_DATABASE_URL"].startswith("postgresql://")
    assert api["CATALOG_DATABASE_URL"].split("@", 1)[1].startswith("db:5432/")
    assert api["CATALOG_ENV"] in {"dev", "prod"}


def test_api_waits_for_a_healthy_database(services: dict[str, Any]) -> None:
    depends_on = services["api"]["depends_on"]

    assert isinstance(depends_on, dict), "use the long form to wait for health"
    assert depends_on["db"]["condition"] == "service_healthy"


def test_database_has_a_pg_isready_healthcheck(services: dict[str, Any]) -> None:
    test = services["db"]["healthcheck"]["test"]

    assert "pg_isready" in (test if isinstance(test, str) else " ".join(test))


def test_api_healthcheck_asks_readyz(services: dict[str, Any]) -> None:
    test = services["api"]["healthcheck"]["test"]

    assert "/readyz" in (test if isinstance(test, str) else " ".join(test))


def test_database_keeps_its_data_in_a_named_volume(services: dict[str, Any]) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    volumes = services["db"]["volumes"]

    assert any(str(volume).split(":")[0] in compose["volumes"] for volume in volumes)
