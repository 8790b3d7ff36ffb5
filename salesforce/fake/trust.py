"""The fake Trust status API (api.status.salesforce.com v1), served under `/trust` of the fake's
own server, exposed as its own base URL (`FakeSalesforce.trust_url`). No authentication.

Routes: GET /v1/instances/{key}/status, GET /v1/incidents?instance=&startTime=&limit=&offset=,
GET /v1/maintenances?instance=&startTime=&limit=&offset=, with the real field names.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PREFIX = "/trust"
Json = dict[str, Any]


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class FakeTrust:
    """Incidents and maintenances by id; switches `failing`, `fail_next` (503) and `slow_s`;
    the paths asked for, in `calls`."""

    incidents: dict[int, Json] = field(default_factory=dict)
    maintenances: dict[int, Json] = field(default_factory=dict)
    failing: bool = False
    fail_next: int = 0  # answer the next n requests with 503, then recover
    slow_s: float = 0.0
    calls: list[str] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10001))

    def add_incident(
        self,
        instance_keys: list[str],
        start: datetime,
        end: datetime | None = None,
        *,
        severity: str = "major",
        impact_type: str = "serviceDisruption",
        message: str = "Users may experience errors or slowness.",
        affects_all: bool = False,
        is_core: bool = True,
    ) -> Json:
        """An incident with one impact from `start` to `end` (None: still open)."""
        with self.lock:
            number = next(self._ids)
            incident: Json = {
                "id": number,
                "externalId": f"INC{number}",
                "affectsAll": affects_all,
                "isCore": is_core,
                "additionalInformation": None,
                "serviceKeys": ["coreService"],
                "instanceKeys": [key.upper() for key in instance_keys],
                "IncidentImpacts": [
                    {
                        "id": number * 10,
                        "startTime": _iso(start),
                        "endTime": _iso(end),
                        "type": impact_type,
                        "severity": severity,
                        "createdAt": _iso(start),
                        "updatedAt": _iso(end or start),
                    }
                ],
                "IncidentEvents": [
                    {
                        "id": number * 10 + 1,
                        "type": "firstNotice",
                        "message": message,
                        "createdAt": _iso(start),
                        "updatedAt": _iso(start),
                    }
                ],
                "createdAt": _iso(start),
                "updatedAt": _iso(end or start),
            }
            self.incidents[number] = incident
            return incident

    def end_incident(self, number: int, end: datetime) -> None:
        with self.lock:
            incident = self.incidents[number]
            for impact in incident["IncidentImpacts"]:
                impact["endTime"] = impact["endTime"] or _iso(end)
            incident["updatedAt"] = _iso(end)

    def add_maintenance(
        self,
        instance_keys: list[str],
        name: str,
        start: datetime,
        end: datetime,
        *,
        release_type: str | None = "Major",
        event_type: str = "release",
        availability: str = "available",
    ) -> Json:
        with self.lock:
            number = next(self._ids)
            maintenance: Json = {
                "id": number,
                "externalId": f"MNT{number}",
                "name": name,
                "plannedStartTime": _iso(start),
                "plannedEndTime": _iso(end),
                "affectsAll": False,
                "isCore": True,
                "allowSubscribers": True,
                "releaseType": release_type,
                "serviceKeys": ["coreService"],
                "instanceKeys": [key.upper() for key in instance_keys],
                "message": {
                    "maintenanceType": (
                        "release" if event_type == "release" else "generalMaintenance"
                    ),
                    "availability": availability,
                    "eventStatus": "confirmed",
                    "eventType": event_type,
                    "name": name,
                    "description": f"{name} on the instances listed.",
                },
                "MaintenanceEvents": [],
                "createdAt": _iso(start),
                "updatedAt": _iso(start),
            }
            self.maintenances[number] = maintenance
            return maintenance

    # -- the routes -----------------------------------------------------------------

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        """(status, body) for a GET of `path` (below the prefix)."""
        with self.lock:
            self.calls.append(path)
            if self.failing or self.fail_next > 0:
                self.fail_next = max(0, self.fail_next - 1)
                return 503, {"message": "Service Unavailable"}
            parts = [part for part in path.split("/") if part]
            if parts == ["v1", "incidents"]:
                return self._listed(self.incidents, query, "IncidentImpacts")
            if parts == ["v1", "maintenances"]:
                return self._listed(self.maintenances, query, None)
            if len(parts) == 4 and parts[:2] == ["v1", "instances"] and parts[3] == "status":
                return self._status(parts[2].upper())
            return 404, {"message": "Not Found"}

    def _listed(
        self, items: dict[int, Json], query: dict[str, list[str]], impacts: str | None
    ) -> tuple[int, Any]:
        instance = (query.get("instance") or [""])[0].upper()
        since_text = (query.get("startTime") or [""])[0]
        since = _parse(since_text) if since_text else None
        if since_text and since is None:
            return 400, {"message": "startTime must be an ISO 8601 date-time"}
        try:
            limit = int((query.get("limit") or ["100"])[0])
            offset = int((query.get("offset") or ["0"])[0])
        except ValueError:
            return 400, {"message": "limit and offset must be integers"}
        found = [
            item
            for item in items.values()
            if (not instance or item["affectsAll"] or instance in item["instanceKeys"])
            and (since is None or self._since(item, since, impacts))
        ]
        # Newest first, as the real API lists them.
        found.sort(key=lambda item: (item["createdAt"], item["id"]), reverse=True)
        return 200, found[offset : offset + max(1, min(limit, 1000))]

    @staticmethod
    def _since(item: Json, since: datetime, impacts: str | None) -> bool:
        if impacts is None:
            end = _parse(item["plannedEndTime"])
            return end is not None and end >= since
        for impact in item[impacts]:
            end = impact["endTime"]
            if end is None or (_parse(end) or since) >= since:
                return True
        return False

    def _status(self, key: str) -> tuple[int, Any]:
        incidents = [item for item in self.incidents.values() if key in item["instanceKeys"]]
        open_ = [i for i in incidents if any(x["endTime"] is None for x in i["IncidentImpacts"])]
        status = "OK"
        if any(x["severity"] == "major" for i in open_ for x in i["IncidentImpacts"]):
            status = "MAJOR_INCIDENT_CORE"
        elif open_:
            status = "MINOR_INCIDENT_CORE"
        return 200, {
            "key": key,
            "location": key.rstrip("0123456789S") or key,
            "environment": "sandbox" if key.startswith("CS") else "production",
            "releaseVersion": "Winter '27 Patch 9.4",
            "releaseNumber": "250.9.4",
            "status": status,
            "isActive": True,
            "Products": [],
            "Incidents": open_,
            "Maintenances": [
                item for item in self.maintenances.values() if key in item["instanceKeys"]
            ],
        }
