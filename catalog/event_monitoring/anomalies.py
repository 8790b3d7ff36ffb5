"""The anomaly rules for an access to sensitive data, against what is usual for its user.

Pure: no I/O. A user's baseline grows with every event the logs show of them (any event
type), in the order the logs are read; an access is judged against the baseline before it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime

from catalog.event_monitoring.models import Anomaly, DataAction

# A user needs this many active days before an hour can be unusual for them: two working
# weeks show their rhythm, fewer would flag every newcomer's first evening.
USUAL_HOURS_MIN_DAYS = 10
# An hour is usual when it, or the hour either side, saw activity on at least this share of
# the user's active days: a 07:55 login of someone who starts at 08:00 is not unusual.
USUAL_HOUR_SHARE = 0.05
# The IP range a new address is judged by: a /24 (IPv4) or /48 (IPv6) is one office or
# provider network; a new address inside a known range is no news.
IPV4_PREFIX, IPV6_PREFIX = 24, 48
HOURS = 24


def ip_range(address: str | None) -> str | None:
    """The network of the address (`203.0.113.0/24`), or None for no valid address."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass
class Baseline:
    """What is usual for a user, each fact with the day (ordinal) it was first seen: an access
    is judged by what was known before its day, so the login that opens a session from a new
    country does not make that country usual for the export that follows it."""

    countries: dict[str, int] = field(default_factory=dict)
    ip_ranges: dict[str, int] = field(default_factory=dict)
    hour_days: list[int] = field(default_factory=lambda: [0] * HOURS)
    hour_last_day: list[int] = field(default_factory=lambda: [0] * HOURS)
    active_days: int = 0
    last_active_day: int = 0
    changed: bool = False

    def known_country(self, country: str, day: int) -> bool | None:
        """None while no country is known before `day`: nothing to compare with."""
        before = [name for name, first in self.countries.items() if first < day]
        return country in before if before else None

    def known_range(self, network: str, day: int) -> bool | None:
        before = [name for name, first in self.ip_ranges.items() if first < day]
        return network in before if before else None

    def usual_hour(self, hour: int, day: int) -> bool:
        days = self.active_days - (1 if self.last_active_day == day else 0)
        if days < USUAL_HOURS_MIN_DAYS:
            return True
        needed = max(1, round(USUAL_HOUR_SHARE * days))
        for step in (-1, 0, 1):
            index = (hour + step) % HOURS
            seen = self.hour_days[index] - (1 if self.hour_last_day[index] == day else 0)
            if seen >= needed:
                return True
        return False

    def learn(self, at: datetime, country: str | None, network: str | None) -> None:
        """Add one event; a second event of the same day and hour counts nothing more."""
        day = at.date().toordinal()
        for known, value in ((self.countries, country), (self.ip_ranges, network)):
            if value and known.get(value, day + 1) > day:
                known[value] = day
                self.changed = True
        if self.hour_last_day[at.hour] != day:
            self.hour_last_day[at.hour] = day
            self.hour_days[at.hour] += 1
            self.changed = True
        if day > self.last_active_day:
            self.last_active_day = day
            self.active_days += 1
            self.changed = True


def anomalies(
    baseline: Baseline,
    *,
    action: DataAction,
    rows: int | None,
    at: datetime,
    country: str | None,
    network: str | None,
    export_rows: int,
) -> list[Anomaly]:
    """The rules an access breaks, judged by what was known of the user before its day. New
    country and IP range need a baseline that knew at least one: a user's first day of
    events is no anomaly of place."""
    day = at.date().toordinal()
    found = []
    if action is DataAction.EXPORT and rows is not None and rows > export_rows:
        found.append(Anomaly.LARGE_EXPORT)
    if country and baseline.known_country(country, day) is False:
        found.append(Anomaly.NEW_COUNTRY)
    if network and baseline.known_range(network, day) is False:
        found.append(Anomaly.NEW_IP_RANGE)
    if not baseline.usual_hour(at.hour, day):
        found.append(Anomaly.UNUSUAL_HOUR)
    return found
