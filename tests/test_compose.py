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


def test_migrations_run_once_after_the_database_is_healthy_and_before_the_rest(
    services: dict[str, Any],
) -> None:
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("api", "worker", "seed"):
        depends_on = services[name]["depends_on"]
        assert isinstance(depends_on, dict), "use the long form to wait for the migrations"
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        assert environment(services[name])["CATALOG_AUTO_MIGRATE"] == "false"


def test_the_api_the_worker_and_an_opt_in_demo_seed_run_the_same_image(
    services: dict[str, Any],
) -> None:
    assert services["api"]["command"][0] == "serve"
    assert services["worker"]["command"] == ["worker"]
    assert services["seed"]["command"] == ["seed", "--demo"]
    assert services["seed"]["profiles"] == ["demo"]
    assert "profiles" not in services["worker"]
    images = {services[name]["image"] for name in ("migrate", "api", "worker", "seed")}
    assert len(images) == 1
    assert environment(services["worker"])["CATALOG_WORKER_METRICS_PORT"].isdigit()


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
