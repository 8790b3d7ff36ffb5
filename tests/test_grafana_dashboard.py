"""deploy/grafana/service-catalog.json asks only for metrics the app and the worker export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry, generate_latest

from server.jobs.metrics import JOB_COLLECTORS

DASHBOARD = Path(__file__).resolve().parent.parent / "deploy" / "grafana" / "service-catalog.json"
OURS = re.compile(r"\b((?:http_request|graphql_operation|db_pool|salesforce|catalog_job)\w*)")
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def _families(text: str) -> set[str]:
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


def _exported(name: str, families: set[str]) -> bool:
    if name in families:
        return True
    return any(
        name.endswith(suffix) and name.removesuffix(suffix) in families for suffix in SUFFIXES
    )


async def test_every_metric_on_the_dashboard_is_exported(client: httpx.AsyncClient) -> None:
    scraped = (await client.get("/metrics")).text
    worker = CollectorRegistry()
    for collector in JOB_COLLECTORS:
        worker.register(collector)
    families = _families(scraped) | _families(generate_latest(worker).decode())
    dashboard = json.loads(DASHBOARD.read_text())
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in OURS.findall(target["expr"])
    }

    assert len(dashboard["panels"]) >= 10
    assert {"salesforce_calls_total", "catalog_job_runs_total"} <= asked
    assert sorted(name for name in asked if not _exported(name, families)) == []
