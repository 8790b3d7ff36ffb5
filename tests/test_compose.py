"""docker-compose.yml stays consistent with the settings (no Docker engine needed)."""

from __future__ import annotations

import ipaddress
import re
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


def _scale_services(services: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services.items() if "scale" in s.get("profiles", [])}


def _host_port(url: str) -> str:
    return url.split("@", 1)[1].split("/", 1)[0]


def test_a_plain_up_starts_what_it_did_before_the_scale_profile(
    services: dict[str, Any],
) -> None:
    always = {name for name, service in services.items() if not service.get("profiles")}

    assert always == {"db", "keycloak", "migrate", "api", "worker"}


def test_the_scale_profile_is_two_api_replicas_behind_nginx_and_pgbouncer(
    services: dict[str, Any],
) -> None:
    scale = _scale_services(services)

    assert set(scale) == {"pgbouncer", "api-1", "api-2", "nginx"}
    for name in ("api-1", "api-2"):
        assert scale[name]["command"] == ["serve", "--host", "0.0.0.0", "--port", "8000"]
        assert scale[name]["image"] == services["api"]["image"]
        assert "ports" not in scale[name], "only nginx reaches the replicas"
        assert environment(scale[name])["CATALOG_AUTO_MIGRATE"] == "false"
        depends_on = scale[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        assert "/readyz" in " ".join(scale[name]["healthcheck"]["test"])
    assert scale["nginx"]["depends_on"] == {
        "api-1": {"condition": "service_healthy"},
        "api-2": {"condition": "service_healthy"},
    }


def test_nginx_runs_the_shipped_site_whose_upstream_is_the_replicas(
    services: dict[str, Any],
) -> None:
    nginx = services["nginx"]
    mounts = dict(str(volume).split(":")[:2] for volume in nginx["volumes"])
    site = ROOT / "deploy/nginx/service-catalog.conf"
    text = site.read_text()
    upstream = text.split("upstream service_catalog_api {", 1)[1].split("}", 1)[0]
    servers = re.findall(r"^\s*server (\S+)", upstream, re.MULTILINE)
    listen = re.findall(r"^\s*listen (\d+);", text, re.MULTILINE)

    assert mounts["./deploy/nginx/service-catalog.conf"].startswith("/etc/nginx/conf.d/")
    assert servers == ["api-1:8000", "api-2:8000"]
    assert nginx["ports"] == [f"127.0.0.1:8081:{listen[0]}"]


def test_the_replicas_share_what_a_sign_in_needs_and_trust_only_private_proxies(
    services: dict[str, Any],
) -> None:
    replicas = [environment(services[name]) for name in ("api-1", "api-2")]
    published = services["nginx"]["ports"][0].rsplit(":", 1)[0]

    assert replicas[0] == replicas[1]
    assert len(replicas[0]["CATALOG_SESSION_SECRET"]) >= 32
    assert replicas[0]["CATALOG_PUBLIC_URL"] == f"http://{published}"
    trusted = replicas[0]["CATALOG_TRUSTED_PROXIES"].split(",")
    assert trusted
    assert all(ipaddress.ip_network(network).is_private for network in trusted)


def test_the_replicas_reach_postgresql_through_pgbouncer_and_listen_directly(
    services: dict[str, Any],
) -> None:
    replica = environment(services["api-1"])
    ini = ROOT / "deploy/pgbouncer/pgbouncer.ini"
    mounts = dict(str(volume).split(":")[:2] for volume in services["pgbouncer"]["volumes"])

    assert replica["CATALOG_DATABASE_POOLER"] == "pgbouncer-transaction"
    assert _host_port(replica["CATALOG_DATABASE_DIRECT_URL"]) == "db:5432"
    assert mounts["./deploy/pgbouncer/pgbouncer.ini"] == "/etc/pgbouncer/pgbouncer.ini"
    assert _ini_value(ini, "pool_mode") == "transaction"
    assert (
        _host_port(replica["CATALOG_DATABASE_URL"]) == f"pgbouncer:{_ini_value(ini, 'listen_port')}"
    )


def test_pgbouncer_is_given_the_auth_file_its_configuration_names(
    services: dict[str, Any],
) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    ini = ROOT / "deploy/pgbouncer/pgbouncer.ini"
    [given] = services["pgbouncer"]["configs"]
    userlist = compose["configs"][given["source"]]["content"]
    user = re.match(
        r"postgresql://([^:]+):([^@]+)@", environment(services["api-1"])["CATALOG_DATABASE_URL"]
    )

    assert given["target"] == _ini_value(ini, "auth_file")
    assert user is not None
    assert f'"{user[1]}" "{user[2]}"' in userlist.splitlines()


def _ini_value(ini: Path, name: str) -> str:
    found = re.search(rf"^\s*{name}\s*=\s*(\S+)\s*$", ini.read_text(), re.MULTILINE)
    assert found is not None, f"{ini.name} sets no {name}"
    return found[1]
