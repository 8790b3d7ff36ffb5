"""What one log file leaves behind, gathered row by row as the CSV streams in: the distinct
activity adoption counts, and the accesses to sensitive objects with their anomalies.

Runs in the gateway's worker thread (`consume` is called per row); memory grows with the
distinct (day, user, session, app or object) of the file, never with its size.
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalog.event_monitoring.anomalies import Baseline, anomalies, ip_range
from catalog.event_monitoring.events import Event, parse_event
from catalog.event_monitoring.models import ActivityKind
from salesforce.event_logs import LoginPlace


@dataclass(frozen=True)
class Place:
    country: str | None
    country_iso: str | None


class LoginPlaces:
    """Where Salesforce placed each user's logins (LoginHistory, LoginGeo), to say where an
    event came from: the user's latest login up to the event from its IP, else their latest
    login up to it (the session's own)."""

    def __init__(self, places: Sequence[LoginPlace]) -> None:
        self._by_user: dict[str, list[LoginPlace]] = {}
        for place in sorted(places, key=lambda item: item.at):
            self._by_user.setdefault(place.user_id[:15], []).append(place)
        self._times = {user: [p.at for p in found] for user, found in self._by_user.items()}

    def place(self, user_id: str, ip: str | None, at: datetime) -> Place:
        found = self._by_user.get(user_id[:15], [])
        end = bisect.bisect_right(self._times.get(user_id[:15], []), at)
        earlier = found[:end]
        same_ip = [login for login in earlier if ip and login.source_ip == ip]
        if not (same_ip or earlier):
            return Place(None, None)
        login = (same_ip or earlier)[-1]
        return Place(login.country, login.country_iso)


@dataclass
class LogReading:
    """Gathers one log of `event_type` of the org `org_id`."""

    org_id: uuid.UUID
    log_file_id: str
    event_type: str
    places: LoginPlaces
    baselines: dict[str, Baseline]
    holders: Mapping[str, frozenset[str]]  # user id (15) -> permission sets held, casefolded
    sensitive_objects: frozenset[str]
    export_rows: int
    activity: set[tuple[Any, ...]] = field(default_factory=set)
    accesses: dict[str, dict[str, Any]] = field(default_factory=dict)

    def consume(self, row: dict[str, str]) -> bool:
        """Take one CSV row; False when it is no event (skipped and counted by the caller)."""
        event = parse_event(self.event_type, row)
        if event is None:
            return False
        self._note_activity(event)
        place = self.places.place(event.user_id, event.source_ip, event.at)
        network = ip_range(event.source_ip)
        baseline = self.baselines.setdefault(event.user_id, Baseline())
        if (
            event.action is not None
            and event.object_name is not None
            and event.object_name.casefold() in self.sensitive_objects
            and event.key not in self.accesses
        ):
            self.accesses[event.key] = self._access(event, place, network, baseline)
        baseline.learn(event.at, place.country, network)
        return True

    def _note_activity(self, event: Event) -> None:
        day, user, session = event.at.date(), event.user_id, event.session_key
        names = [(ActivityKind.APP, event.app), (ActivityKind.OBJECT, event.object_name)]
        names += [(ActivityKind.PERMISSION_SET, name) for name in self.holders.get(user[:15], ())]
        for kind, name in names:
            if name:
                self.activity.add((day, kind.value, name.casefold(), user, session))

    def _access(
        self, event: Event, place: Place, network: str | None, baseline: Baseline
    ) -> dict[str, Any]:
        assert event.action is not None
        assert event.object_name is not None
        flags = anomalies(
            baseline,
            action=event.action,
            rows=event.rows,
            at=event.at,
            country=place.country,
            network=network,
            export_rows=self.export_rows,
        )
        return {
            "salesforce_org_id": self.org_id,
            "event_key": event.key,
            "event_type": event.event_type,
            "action": event.action.value,
            "object_name": event.object_name,
            "user_id": event.user_id,
            "at": event.at,
            "rows": event.rows,
            "source_ip": event.source_ip[:45] if event.source_ip else None,
            "country": place.country,
            "country_iso": place.country_iso,
            "anomalies": [flag.value for flag in flags],
            "log_file_id": self.log_file_id,
        }

    def activity_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "salesforce_org_id": self.org_id,
                "day": day,
                "kind": kind,
                "name": name,
                "user_id": user,
                "session_key": session,
            }
            for day, kind, name, user, session in sorted(self.activity)
        ]
