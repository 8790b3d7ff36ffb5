"""The load: concurrent clients over httpx, each logging every outcome and acknowledged write.

Readers send the W4 mix (six pages of 20, three single services — one of them with a live
Salesforce field — and one `{ __typename }`); writers submit feedback with idempotency
keys (retried with the same key until acknowledged; some acknowledged ones sent again),
move service requests through their states and report incidents (each opens one, and a
webhook delivery). A probe asks for a live Salesforce field twice a second.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bench.documents import SERVICE_BY_SLUG, SERVICES_PAGE, TYPENAME
from bench.faults import documents
from bench.faults.journal import Journal, Outcome, error_codes, first_error
from bench.processes import JSON_HEADERS

W4_MIX = ("page",) * 6 + ("service", "service", "service_live", "typename")
CLIENT_TIMEOUT_S = 30.0  # well past the execution timeout: a slow answer is seen, not cut
RETRY_PAUSE_S = 0.5
MAX_ATTEMPTS = 40  # a write is retried for about 20 s of faults before it is given up
# A request's next move, from where it is: a cycle past triage that never ends.
NEXT_STATUS = {
    "NEW": "TRIAGED",
    "TRIAGED": "IN_PROGRESS",
    "IN_PROGRESS": "WAITING_ON_REQUESTER",
    "WAITING_ON_REQUESTER": "IN_PROGRESS",
}


@dataclass(frozen=True)
class Target:
    """What the clients aim at: the API and the services they read and write about."""

    url: str
    slugs: Sequence[str]
    service_ids: Sequence[str]
    probe_slug: str


def client(url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, headers=JSON_HEADERS, timeout=CLIENT_TIMEOUT_S)


async def graphql(
    http: httpx.AsyncClient, journal: Journal, kind: str, query: str, variables: dict[str, Any]
) -> tuple[Outcome, dict[str, Any] | None]:
    started = journal.now()
    try:
        response = await http.post("/graphql", json={"query": query, "variables": variables})
    except httpx.HTTPError as error:
        return journal.record(kind, started, 0, detail=type(error).__name__), None
    try:
        body: dict[str, Any] | None = response.json()
    except ValueError:
        body = None
    detail = first_error(body) if body is not None else response.text
    outcome = journal.record(kind, started, response.status_code, error_codes(body), detail)
    return outcome, body


def _payload(body: dict[str, Any] | None, field: str) -> dict[str, Any] | None:
    """The mutation's payload when it was applied: data, no errors, no userErrors."""
    if not body or body.get("errors"):
        return None
    payload: dict[str, Any] | None = (body.get("data") or {}).get(field)
    if not payload or payload.get("userErrors"):
        return None
    return payload


async def reader(target: Target, journal: Journal, stop: asyncio.Event, seed: int) -> None:
    rng = random.Random(seed)
    async with client(target.url) as http:
        for kind in itertools.cycle(rng.sample(W4_MIX, len(W4_MIX))):
            if stop.is_set():
                return
            slug = rng.choice(target.slugs)
            if kind == "page":
                await graphql(http, journal, kind, SERVICES_PAGE, {"first": 20})
            elif kind == "service":
                await graphql(http, journal, kind, SERVICE_BY_SLUG, {"slug": slug})
            elif kind == "service_live":
                await graphql(http, journal, kind, documents.SERVICE_LIVE, {"slug": slug})
            else:
                await graphql(http, journal, kind, TYPENAME, {})


async def probe(target: Target, journal: Journal, stop: asyncio.Event) -> None:
    """A live Salesforce field, twice a second: when it degrades and when it comes back."""
    async with client(target.url) as http:
        while not stop.is_set():
            outcome, body = await graphql(
                http, journal, "probe", documents.PROBE, {"slug": target.probe_slug}
            )
            service = ((body or {}).get("data") or {}).get("service") or {}
            has_value = service.get("salesforceCaseSummary") is not None
            journal.probes.append((outcome.started, has_value, outcome.codes))
            await asyncio.sleep(0.5)


async def _submit(
    http: httpx.AsyncClient, journal: Journal, key: str, body: dict[str, Any]
) -> tuple[Outcome, httpx.Response | None]:
    started = journal.now()
    try:
        response = await http.post("/api/feedback", json=body, headers={"Idempotency-Key": key})
    except httpx.HTTPError as error:
        return journal.record("feedback", started, 0, detail=type(error).__name__), None
    detail = "" if response.status_code == 201 else response.text
    return journal.record("feedback", started, response.status_code, detail=detail), response


async def feedback(target: Target, journal: Journal, stop: asyncio.Event, seed: int) -> None:
    """Submissions, each retried with its key until a 201; one in five sent again after it."""
    rng = random.Random(seed)
    async with client(target.url) as http:
        while not stop.is_set():
            key = f"fault-{uuid.uuid4()}"
            body = {
                "service": rng.choice(target.slugs),
                "kind": "BUG",
                "title": f"fault {key}",
                "body": "Submitted by the fault run.",
            }
            acknowledged = None
            for attempt in range(MAX_ATTEMPTS):
                if attempt and stop.is_set():
                    break  # the run is over: this write stays unacknowledged
                _, response = await _submit(http, journal, key, body)
                if response is not None and response.status_code == 201:
                    acknowledged = str(response.json()["id"])
                    break
                await asyncio.sleep(RETRY_PAUSE_S)
            if acknowledged is None:
                journal.lost_track("feedback", key)
                continue
            journal.feedback[key] = acknowledged
            if rng.random() < 0.2:
                _, again = await _submit(http, journal, key, body)
                if again is not None and again.status_code == 201:
                    same = again.json()["id"] == acknowledged
                    journal.replays.append((key, same and "idempotent-replayed" in again.headers))
            await asyncio.sleep(0.2)


async def _create_request(
    http: httpx.AsyncClient, journal: Journal, service_id: str, stop: asyncio.Event
) -> dict[str, Any] | None:
    variables = {
        "input": {"serviceId": service_id, "title": "fault run request", "kind": "QUESTION"}
    }
    for attempt in range(MAX_ATTEMPTS):
        if attempt and stop.is_set():
            break
        _, body = await graphql(http, journal, "request", documents.CREATE_REQUEST, variables)
        payload = _payload(body, "createServiceRequest")
        if payload is not None:
            created: dict[str, Any] = payload["serviceRequest"]
            return created
        await asyncio.sleep(RETRY_PAUSE_S)
    return None


async def _state(
    http: httpx.AsyncClient, journal: Journal, request_id: str
) -> dict[str, Any] | None:
    _, body = await graphql(
        http, journal, "request_state", documents.REQUEST_STATE, {"id": request_id}
    )
    node: dict[str, Any] | None = ((body or {}).get("data") or {}).get("node")
    return node


async def transitions(target: Target, journal: Journal, stop: asyncio.Event, seed: int) -> None:
    """Requests moved one step at a time; after an unanswered move, their state is read back."""
    rng = random.Random(seed)
    async with client(target.url) as http:
        requests: list[dict[str, Any]] = []
        for service_id in rng.sample(list(target.service_ids), 4):
            created = await _create_request(http, journal, service_id, stop)
            if created is not None:
                requests.append(created)
        while requests and not stop.is_set():
            request = rng.choice(requests)
            to = NEXT_STATUS[request["status"]]
            note = f"fault {uuid.uuid4()}"
            given: dict[str, Any] = {
                "id": request["id"],
                "version": request["version"],
                "to": to,
                "note": note,
            }
            if to == "TRIAGED":
                given.update(impact="MEDIUM", urgency="MEDIUM", supportTier="L1")
            _, body = await graphql(
                http, journal, "transition", documents.TRANSITION_REQUEST, {"input": given}
            )
            payload = _payload(body, "transitionServiceRequest")
            if payload is not None:
                request.update(payload["serviceRequest"])
                journal.transitions.append(
                    {
                        "request": request["id"],
                        "note": note,
                        "to": to,
                        "version": request["version"],
                    }
                )
            else:
                journal.lost_track("transition", note)
                await asyncio.sleep(RETRY_PAUSE_S)
                state = await _state(http, journal, request["id"])
                if state:
                    request.update(state)
            await asyncio.sleep(0.2)


async def incidents(target: Target, journal: Journal, stop: asyncio.Event, seed: int) -> None:
    """An incident a second, each retried under its alert key (a repeat opens no other)."""
    rng = random.Random(seed)
    async with client(target.url) as http:
        while not stop.is_set():
            title = f"fault {uuid.uuid4()}"
            given = {
                "source": "MONITORING",
                "alertKey": title,
                "title": title,
                "severity": "SEV4",
                "serviceIds": [rng.choice(target.service_ids)],
            }
            for attempt in range(MAX_ATTEMPTS):
                if attempt and stop.is_set():
                    break
                _, body = await graphql(
                    http, journal, "incident", documents.REPORT_INCIDENT, {"input": given}
                )
                payload = _payload(body, "reportIncident")
                if payload is not None:
                    journal.incidents[title] = payload["incident"]["id"]
                    break
                await asyncio.sleep(RETRY_PAUSE_S)
            else:
                journal.lost_track("incident", title)
            await asyncio.sleep(1.0)
