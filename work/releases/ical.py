"""The release calendar as iCalendar (RFC 5545, through `icalendar`): one all-day event per
dated release, one timed event per freeze window. UIDs are stable per record and SEQUENCE is
its version, so calendar clients update an event instead of duplicating it. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from work.releases.calendar import calendar_day
from work.releases.models import FreezeWindow, Release, ReleaseStatus

PRODUCT_ID = "-//Service Catalog//Release calendar//EN"
UID_DOMAIN = "service-catalog"
MEDIA_TYPE = "text/calendar; charset=utf-8"


def _release_event(release: Release, stamp: datetime) -> Event | None:
    day = calendar_day(release)
    if day is None:
        return None
    event = Event()
    event.add("uid", f"release-{release.id}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", f"{release.name} ({release.kind})")
    services = ", ".join(service.name for service in release.services) or "none"
    lines = [
        f"Kind: {release.kind}",
        f"Status: {release.status}",
        f"Services: {services}",
    ]
    if release.version_label:
        lines.append(f"Version: {release.version_label}")
    event.add("description", "\n".join(lines))
    event.add("categories", ["RELEASE", str(release.kind)])
    shipped = release.status in (ReleaseStatus.RELEASED, ReleaseStatus.ROLLED_BACK)
    event.add("status", "CONFIRMED" if shipped else "TENTATIVE")
    event.add("transp", "TRANSPARENT")
    event.add("sequence", release.version)
    event.add("last-modified", release.updated_at)
    return event


def _freeze_event(window: FreezeWindow, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"freeze-{window.id}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", window.starts_at)
    event.add("dtend", window.ends_at)
    event.add("summary", f"Release freeze: {window.reason}")
    event.add(
        "description",
        f"Scope: {window.scope}\nOnly hot fixes ship; an ADMIN may override with a reason.",
    )
    event.add("categories", ["FREEZE", str(window.scope)])
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    event.add("sequence", window.version)
    event.add("last-modified", window.updated_at)
    return event


def release_calendar(
    *,
    name: str,
    releases: Sequence[Release],
    windows: Sequence[FreezeWindow],
    stamp: datetime,
) -> bytes:
    """The feed: releases (those with a day) and freeze windows, as one VCALENDAR."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for release in releases:
        event = _release_event(release, stamp)
        if event is not None:
            calendar.add_component(event)
    for window in windows:
        calendar.add_component(_freeze_event(window, stamp))
    feed: bytes = calendar.to_ical()
    return feed
