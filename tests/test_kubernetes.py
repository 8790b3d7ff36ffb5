"""deploy/kubernetes/ stays valid Kubernetes (kubernetes-validate, strict, against the
version the README names) and consistent with the app: settings, commands, probes, labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import typer
import yaml

from core.settings import Settings
from server.cli import cli
from server.health import router as health_router

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "deploy" / "kubernetes" / "base"
KUBERNETES_VERSION = "1.34.0"
# Kinds from CRDs (no schema in kubernetes-validate): checked below by hand.
CUSTOM_KINDS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
}
SECRET_SETTINGS = {"CATALOG_DATABASE_URL", "CATALOG_SMTP_URL", "CATALOG_BACKUP_WEBHOOK_TOKEN"}


def _kustomization() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    return loaded


def _resources() -> list[dict[str, Any]]:
    return [
        document
        for name in _kustomization()["resources"]
        for document in yaml.safe_load_all((BASE / name).read_text())
        if document
    ]


def _of_kind(kind: str) -> list[dict[str, Any]]:
    return [resource for resource in _resources() if resource["kind"] == kind]


def _pod_specs() -> list[dict[str, Any]]:
    return [
        resource["spec"]["template"]["spec"]
        for resource in _resources()
        if resource["kind"] in ("Deployment", "Job")
    ]


def test_the_readme_names_the_kubernetes_version_validated_here() -> None:
    minor = ".".join(KUBERNETES_VERSION.split(".")[:2])
    assert f"Kubernetes {minor}" in (ROOT / "README.md").read_text()


def test_every_resource_file_is_listed_and_every_listed_file_exists() -> None:
    listed = set(_kustomization()["resources"])
    present = {path.name for path in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


@pytest.mark.parametrize(
    "resource",
    [
        pytest.param(resource, id=f"{resource['kind']}/{resource['metadata']['name']}")
        for resource in _resources()
        if (resource["apiVersion"], resource["kind"]) not in CUSTOM_KINDS
    ],
)
def test_each_resource_is_valid_kubernetes(resource: dict[str, Any]) -> None:
    kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_the_settings_in_the_config_map_are_settings_and_not_secrets() -> None:
    [config] = _of_kind("ConfigMap")
    known = {f"CATALOG_{name.upper()}" for name in Settings.model_fields} | {"CATALOG_SECRETS_DIR"}

    assert set(config["data"]) <= known, set(config["data"]) - known
    assert not set(config["data"]) & SECRET_SETTINGS
    assert config["data"]["CATALOG_ENV"] == "prod"
    assert config["data"]["CATALOG_AUTO_MIGRATE"] == "false"


def test_every_container_runs_a_command_of_the_cli_as_a_non_root_user() -> None:
    commands = set(typer.main.get_group(cli).commands)
    images = {image["name"] for image in _kustomization()["images"]}
    [config] = _of_kind("ConfigMap")
    for pod in _pod_specs():
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert container["image"] in images
            assert container["args"][0] in commands
            mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
            assert config["data"]["CATALOG_SECRETS_DIR"] in mounts


def test_the_probes_are_the_apps_routes() -> None:
    routes = {route.path for route in health_router.routes}  # type: ignore[attr-defined]
    [api] = [d for d in _of_kind("Deployment") if d["metadata"]["name"].endswith("-api")]
    [container] = api["spec"]["template"]["spec"]["containers"]

    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert {
        container["readinessProbe"]["httpGet"]["path"],
        container["livenessProbe"]["httpGet"]["path"],
    } <= routes


def test_selectors_find_their_pods() -> None:
    deployments = {d["metadata"]["name"]: d for d in _of_kind("Deployment")}
    for deployment in deployments.values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    api_labels = deployments["service-catalog-api"]["spec"]["template"]["metadata"]["labels"]
    [service] = _of_kind("Service")
    [budget] = _of_kind("PodDisruptionBudget")
    [monitor] = _of_kind("ServiceMonitor")

    assert service["spec"]["selector"].items() <= api_labels.items()
    assert budget["spec"]["selector"]["matchLabels"].items() <= api_labels.items()
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    assert {endpoint["port"] for endpoint in monitor["spec"]["endpoints"]} <= {
        port["name"] for port in service["spec"]["ports"]
    }
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"


def test_the_pod_monitor_scrapes_the_workers_metrics_port() -> None:
    [monitor] = _of_kind("PodMonitor")
    [config] = _of_kind("ConfigMap")
    [worker] = [d for d in _of_kind("Deployment") if d["metadata"]["name"].endswith("-worker")]
    pod = worker["spec"]["template"]
    [container] = pod["spec"]["containers"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}

    assert monitor["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    [endpoint] = monitor["spec"]["podMetricsEndpoints"]
    assert ports[endpoint["port"]] == int(config["data"]["CATALOG_WORKER_METRICS_PORT"])
    assert endpoint["path"] == "/metrics"
