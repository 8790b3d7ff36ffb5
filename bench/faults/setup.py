"""What the clients need before the load: the services to aim at and a webhook channel."""

from __future__ import annotations

from typing import Any

import httpx

from bench.faults import documents
from bench.faults.clients import Target
from bench.processes import JSON_HEADERS


class SetupFailed(RuntimeError):
    pass


def _graphql(api_url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        api_url + "/graphql",
        json={"query": query, "variables": variables},
        headers=JSON_HEADERS,
        timeout=30,
    )
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SetupFailed(f"{query.split('(')[0].strip()}: {response.status_code} {body}")
    data: dict[str, Any] = body["data"]
    return data


def target(api_url: str) -> Target:
    """Every service; the probe reads one that runs on an org."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = _graphql(api_url, documents.SERVICES, {"after": after})["services"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    on_orgs = [node["slug"] for node in nodes if node["salesforceOrgs"]]
    if not on_orgs:
        raise SetupFailed("no service runs on a Salesforce org")
    return Target(
        url=api_url,
        slugs=[node["slug"] for node in nodes],
        service_ids=[node["id"] for node in nodes],
        probe_slug=on_orgs[0],
    )


def webhook_channel(api_url: str, receiver_url: str) -> str:
    """A WEBHOOK channel for INCIDENT_OPENED pointing at the receiver; its global id."""
    given = {
        "kind": "WEBHOOK",
        "name": "fault run receiver",
        "target": receiver_url,
        "events": ["INCIDENT_OPENED"],
    }
    payload = _graphql(api_url, documents.CREATE_CHANNEL, {"input": given})
    created = payload["createNotificationChannel"]
    if created["userErrors"]:
        raise SetupFailed(f"createNotificationChannel: {created['userErrors']}")
    channel_id: str = created["notificationChannel"]["id"]
    return channel_id
