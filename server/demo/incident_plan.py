"""A quarter of incidents as a plan: a few memorable outages and a stream of routine alerts.

Pure and deterministic. The memorable ones are a fixed table; the routine ones are drawn
from a seeded random generator whose draws do not depend on `now`, so titles (what a second
run recognises) stay the same. Moments are placed in the clock's service's business time
against its targets; moments not yet reached (`now`) are left out, so the newest incidents
are still open.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from identity.models import MembershipRole
from server.demo.desk import L2_EXPERTS, Desk, DeskService
from server.demo.organisation import PEOPLE
from work.backlog.models import BacklogItemType
from work.incidents.models import IncidentSource, Severity

SEED = 20261129
ROUTINE = 29
# Most incidents are mitigated within a day of business time, whatever their target.
BUSY = timedelta(days=1)
_H, _D = timedelta(hours=1), timedelta(days=1)
_MON, _USER = IncidentSource.MONITORING, IncidentSource.USER_REPORT
_TRUST, _SEC = IncidentSource.SALESFORCE_TRUST, IncidentSource.SECURITY


class Act(StrEnum):
    REPORT = "REPORT"
    REPEAT = "REPEAT"  # the alert fires again into the open incident
    ACKNOWLEDGE = "ACKNOWLEDGE"  # the commander takes it
    MITIGATE = "MITIGATE"
    RESOLVE = "RESOLVE"
    REOPEN = "REOPEN"
    CLOSE = "CLOSE"
    HOTFIX = "HOTFIX"  # the fix is raised on the owner team's backlog
    SHIP = "SHIP"  # built and shipped by its own HOTFIX release
    DEPLOY = "DEPLOY"  # reached one Salesforce org (`org`)
    BACK_MERGE = "BACK_MERGE"


@dataclass(frozen=True)
class Hotfix:
    type: BacklogItemType
    title: str
    service: str
    release: str  # the HOTFIX release's name
    deployed_to: tuple[str, ...]  # org credentials references, in order
    back_merged: bool


@dataclass(frozen=True)
class DemoIncident:
    title: str
    services: tuple[str, ...]
    severity: Severity
    source: IncidentSource
    alert_key: str | None
    reporter: str | None  # who reported it (USER_REPORT), else a machine
    ago: timedelta  # detected this long before now
    acknowledge: float  # share of the acknowledge target used; above 1 breached it
    restore: float  # share of the restore target used
    commander: str
    root_cause: str
    people_hours: float
    repeats: int = 0
    resolve_after: timedelta = 6 * _H
    close_after: timedelta = 2 * _D
    reopened: bool = False
    hotfix: Hotfix | None = None


@dataclass(frozen=True)
class Step:
    at: datetime
    act: Act
    org: str | None = None


# fmt: off
NOTABLE = (
    DemoIncident(
        "Single sign-on fails for every user after the IdP certificate rotation",
        ("identity-sso",), Severity.SEV1, _MON, "sso/saml-assertion-errors", None,
        63 * _D + 5 * _H, 0.4, 0.45, "rachel.goldberg",
        "The rotated IdP signing certificate was published without its intermediate, so every"
        " org rejected every SAML assertion.", 41.0, repeats=12,
        hotfix=Hotfix(BacklogItemType.VULNERABILITY,
                      "Pin the full SAML signing certificate chain in every org", "identity-sso",
                      "Hotfix: SAML certificate chain",
                      ("crm-prod", "revenue-prod", "partner-prod"), back_merged=True)),
    DemoIncident(
        "Consent centre rejects every preference update", ("consent-preference-centre",),
        Severity.SEV1, _MON, "consent/update-errors", None, 76 * _D + 14 * _H, 0.6, 1.3,
        "chloe.dubois", "A consent API quota shared with the marketing journeys ran out.", 22.5,
        repeats=8),
    DemoIncident(
        "Orders stop flowing to the ERP", ("order-to-cash-integration", "erp-customer-sync"),
        Severity.SEV2, _MON, "o2c/queue-depth", None, 41 * _D + 9 * _H, 0.5, 0.7,
        "fatima.elamin", "An ERP order API release rejected the new tax field.", 18.0, repeats=6),
    DemoIncident(
        "Global CRM degraded during a Salesforce maintenance overrun",
        ("opportunity-pipeline", "lead-management", "erp-customer-sync"), Severity.SEV1, _TRUST,
        "trust/crm-prod-maintenance", None, 41 * _D + 8 * _H, 0.3, 0.5, "rachel.goldberg",
        "Salesforce extended the instance's maintenance window (Trust incident).", 9.0),
    DemoIncident(
        "Quotes with tiered discounts show negative line totals", ("cpq-quoting",),
        Severity.SEV2, _USER, None, "hannah.schmidt", 9 * _D + 3 * _H, 0.5, 0.6, "omar.haddad",
        "Tiered discounts were rounded after summing the lines, not per line.", 14.5,
        hotfix=Hotfix(BacklogItemType.HOTFIX, "Round tiered discounts per quote line",
                      "cpq-quoting", "Hotfix: CPQ discount rounding",
                      ("revenue-prod", "revenue-uat"), back_merged=False)),
    DemoIncident(
        "Omni-Channel routes chats to agents who are offline", ("omni-channel-routing",),
        Severity.SEV3, _MON, "omni/presence-mismatch", None, 33 * _D + 2 * _H, 0.3, 0.4,
        "aisha.bello", "Agents' presence was cached for an hour after they logged out.", 11.0,
        repeats=4, reopened=True),
    DemoIncident(
        "Integration user exported 40,000 contacts outside the change window",
        ("shield-event-monitoring",), Severity.SEV2, _SEC, "shield/mass-export", None,
        19 * _D + 11 * _H, 0.2, 0.3, "rachel.goldberg",
        "A data-loader job ran under the integration user with a stale schedule.", 16.0),
    DemoIncident(
        "Field engineers cannot see today's appointments", ("field-service-scheduling",),
        Severity.SEV2, _USER, None, "lukas.becker", 52 * _D + 4 * _H, 0.7, 0.8,
        "kenji.watanabe", "A sharing rule recalculation was still running after a deployment.",
        12.0),
    DemoIncident(
        "ERP customer sync lagging by more than an hour", ("erp-customer-sync",), Severity.SEV3,
        _MON, "erp-sync/lag", None, 3 * _H, 0.2, 0.6, "mei.tanaka",
        "Under investigation.", 2.0, repeats=5),
    DemoIncident(
        "Partner portal dashboards load slowly", ("partner-portal",), Severity.SEV4, _USER, None,
        "marcus.reid", 40 * timedelta(minutes=1), 0.5, 0.5, "marcus.reid",
        "Under investigation.", 0.5),
    DemoIncident(
        "Platform event deliveries fail for the billing subscriber", ("platform-events-bus",),
        Severity.SEV2, _MON, "events/billing-delivery", None, 5 * _H, 0.3, 0.15, "jonas.lindqvist",
        "The subscriber's replay id expired during a long deployment.", 4.0, repeats=3,
        resolve_after=24 * _H),
)
# Routine alerts: (alert key, title, root cause)
ALERTS = (
    ("api-errors", "{service}: API error rate above 5%",
     "A managed package update changed a response shape."),
    ("apex-cpu", "{service}: Apex CPU time limit exceeded",
     "Recursion in a trigger after a new automation."),
    ("batch-failed", "{service}: nightly batch job failed",
     "Record locks from an overlapping data load."),
    ("slow-pages", "{service}: page load p95 above 4 s",
     "An unselective report filter on a large object."),
    ("login-failures", "{service}: login failures spike",
     "An expired connected-app certificate."),
    ("storage", "{service}: data storage above 90%",
     "Debug logs and old attachments were never purged."),
)
REPORTS = (
    ("{service} is unusually slow this morning", "A long-running list view query."),
    ("Emails from {service} arrive hours late", "The email relay's queue was throttled."),
    ("{service} shows a blank page after login", "A Lightning component failed to load."),
)
# fmt: on


def engineers(team: str) -> tuple[str, ...]:
    return tuple(
        person.handle for person in PEOPLE if (team, MembershipRole.ENGINEER) in person.teams
    )


def plan_incidents(desk: Desk, now: datetime, seed: int = SEED) -> list[DemoIncident]:
    """The notable incidents and the routine ones, in the order they were detected."""
    rng = random.Random(seed)
    titles = {incident.title for incident in NOTABLE}
    routine = [_routine(rng, desk, titles) for _ in range(ROUTINE)]
    return sorted([*NOTABLE, *routine], key=lambda incident: -incident.ago)


def _routine(rng: random.Random, desk: Desk, titles: set[str]) -> DemoIncident:
    while True:
        service = rng.choice(desk.services)
        monitoring = rng.random() < 0.75
        key, template, cause = rng.choice(ALERTS) if monitoring else (None, *rng.choice(REPORTS))
        title = template.format(service=service.name)
        if title not in titles:
            titles.add(title)
            break
    severity = rng.choices((Severity.SEV3, Severity.SEV4), (55, 45))[0]
    restore = timedelta(seconds=service.targets(severity).resolution)
    # Only a short restore target is ever breached: the long ones are for slow burns.
    breached = rng.random() < 0.15 and restore <= BUSY
    responders = engineers(service.team) or L2_EXPERTS
    return DemoIncident(
        title,
        (service.slug,),
        severity,
        _MON if monitoring else _USER,
        f"{service.slug}/{key}" if key else None,
        None if monitoring else rng.choice(desk.requesters),
        timedelta(hours=rng.uniform(8 * 24, 88 * 24)),
        rng.uniform(0.1, 0.8),
        rng.uniform(1.1, 1.6) if breached else rng.uniform(0.05, 0.6),
        rng.choice((*responders, *L2_EXPERTS)),
        cause,
        round(rng.uniform(0.5, 6), 1),
        repeats=rng.randrange(7) if monitoring else 0,
        resolve_after=timedelta(hours=rng.uniform(1, 20)),
        close_after=timedelta(days=rng.uniform(1, 5)),
    )


def _used(target: timedelta, share: float, busy: timedelta) -> timedelta:
    """Business time a clock ran: a share of its target, and within `busy` when met."""
    return target * share if share > 1 else min(target, busy) * share


def clock_service(desk: Desk, incident: DemoIncident) -> DeskService:
    """The service an incident's clocks run on: its most critical (lowest tier, then name)."""
    return min((desk.service(slug) for slug in incident.services), key=lambda s: (s.tier, s.name))


def timeline(desk: Desk, incident: DemoIncident, now: datetime) -> list[Step]:
    """Every move of the incident (and its hot fix) up to now, in order."""
    service = clock_service(desk, incident)
    acknowledge, restore = (timedelta(seconds=s) for s in service.targets(incident.severity))
    detected = now - incident.ago
    acknowledged = service.after(detected, _used(acknowledge, incident.acknowledge, 8 * _H))
    mitigated = max(
        service.after(detected, _used(restore, incident.restore, BUSY)),
        acknowledged + timedelta(minutes=10),
    )
    steps = [Step(detected, Act.REPORT)]
    gap = (mitigated - detected) / (incident.repeats + 1)
    steps += [Step(detected + gap * (n + 1), Act.REPEAT) for n in range(incident.repeats)]
    steps += [Step(acknowledged, Act.ACKNOWLEDGE), Step(mitigated, Act.MITIGATE)]
    resolved = mitigated + incident.resolve_after
    steps.append(Step(resolved, Act.RESOLVE))
    if incident.reopened:
        reopened = resolved + 6 * _H
        resolved = service.after(reopened, 2 * _H) + 4 * _H
        steps += [
            Step(reopened, Act.REOPEN),
            Step(service.after(reopened, 2 * _H), Act.MITIGATE),
            Step(resolved, Act.RESOLVE),
        ]
    steps.append(Step(resolved + incident.close_after, Act.CLOSE))
    if incident.hotfix is not None:
        steps += _hotfix_steps(incident.hotfix, acknowledged)
    latest = now - timedelta(minutes=1)
    return sorted((step for step in steps if step.at <= latest), key=lambda step: step.at)


def _hotfix_steps(hotfix: Hotfix, acknowledged: datetime) -> list[Step]:
    """Raised half an hour into the incident, shipped that evening, then org by org."""
    shipped = acknowledged + 8 * _H
    steps = [Step(acknowledged + _H / 2, Act.HOTFIX), Step(shipped, Act.SHIP)]
    steps += [
        Step(shipped + (index + 1) * 3 * _H, Act.DEPLOY, org)
        for index, org in enumerate(hotfix.deployed_to)
    ]
    if hotfix.back_merged:
        steps.append(Step(shipped + 2 * _D, Act.BACK_MERGE))
    return steps
