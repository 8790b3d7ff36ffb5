"""A deterministic catalog of N services, built capability by capability.

Each capability adds the rows of the tables it owns, reading what earlier ones made
(`dataset.rows("team")`). A capability names the tables it needs in the migrated
database and is skipped while one is missing, so the generator grows with the product:
dependencies, SLAs, feedback and incidents plug in as new entries of `CAPABILITIES`.

Times are whole seconds (PostgreSQL and Python then print them alike) and every date
that `stale`, `reviewDueAt` or `current` compare with today lies at least a day away
from the moment of seeding, so a run gives the same answers from start to end.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench import levels_data
from catalog.orgs.org_id import checksum

Row = dict[str, Any]
ISSUER = "https://idp.bench.test"

_ADJECTIVES = (
    "Account", "Billing", "Case", "Claims", "Contract", "Customer", "Field", "Identity",
    "Invoice", "Lead", "Loyalty", "Order", "Partner", "Payment", "Pricing", "Quote",
    "Renewal", "Service", "Shipping", "Survey",
)  # fmt: skip
_NOUNS = (
    "Portal", "Console", "Sync", "Gateway", "Router", "Hub", "Desk", "Engine", "Bridge", "Flow",
)  # fmt: skip
_TAGS = ("crm", "erp", "b2b", "b2c", "mobile", "batch", "realtime", "internal", "legacy", "ai")
_REGIMES = ("GDPR", "SOX", "HIPAA", "PCI", "ISO27001")
_TIERS = ("TIER_1", "TIER_2", "TIER_3", "TIER_4")
_LIFECYCLES = ("PLANNED", "BUILDING", "LIVE", "LIVE", "LIVE", "DEPRECATED", "RETIRED")
_CLASSIFICATIONS = ("PUBLIC", "INTERNAL", "CONFIDENTIAL", "RESTRICTED")
_ROLE_KINDS = ("PLATFORM_OWNER", "SUPPORT_OWNER", "DESIGN_AUTHORITY", "AI_MODEL_OWNER")
_TEAM_KINDS = ("PRODUCT", "PRODUCT", "PLATFORM", "SUPPORT")
_MEMBERSHIP_ROLES = ("PRODUCT_OWNER", "ENGINEER", "SUPPORT_L1", "SUPPORT_L2", "DESIGN_AUTHORITY")
_WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
_FEEDBACK_KINDS = ("IDEA", "BUG", "PRAISE", "QUESTION")
_FEEDBACK_STATUSES = ("NEW", "NEW", "UNDER_REVIEW", "PLANNED")
_ZONES = ("Europe/Paris", "America/New_York", "Asia/Singapore", "UTC")


@dataclass
class Dataset:
    """Rows per table, in insertion order (parents before children)."""

    size: int
    seed: int
    now: datetime
    tables: dict[str, list[Row]] = field(default_factory=dict)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def rows(self, table: str) -> list[Row]:
        return self.tables.setdefault(table, [])

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, days_ago: float) -> datetime:
        """A whole second, `days_ago` before the seeding moment."""
        return (self.now - timedelta(days=days_ago)).replace(microsecond=0)

    def stamps(self, days_ago: float) -> Row:
        created = self.moment(days_ago)
        return {"created_at": created, "updated_at": created, "version": 1}

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


@dataclass(frozen=True)
class Capability:
    name: str
    tables: tuple[str, ...]
    build: Callable[[Dataset], None]


def organisation(data: Dataset) -> None:
    rng, n = data.rng, data.size
    units = [
        {"id": data.new_id(), "name": f"Unit {i:03d}", **data.stamps(900 - i)}
        for i in range(max(2, n // 100))
    ]
    data.rows("business_unit").extend(units)
    for i in range(max(10, n // 2)):
        data.rows("person").append(
            {
                "id": data.new_id(),
                "issuer": ISSUER,
                "subject": f"user-{i:05d}",
                "email": f"person{i}@bench.test",
                "email_verified": True,
                "display_name": f"Person {i:05d}",
                "active": rng.random() > 0.05,
                "last_seen_at": data.moment(rng.randint(2, 60)) if rng.random() > 0.3 else None,
                **data.stamps(800 - i % 700),
            }
        )
    people = data.rows("person")
    for i in range(max(3, n // 8)):
        team = {
            "id": data.new_id(),
            "name": f"Team {i:04d}",
            "slug": f"team-{i:04d}",
            "kind": rng.choice(_TEAM_KINDS),
            "business_unit_id": units[i % len(units)]["id"],
            "contact_email": f"team{i}@bench.test" if rng.random() > 0.2 else None,
            "chat_channel": f"#team-{i}" if rng.random() > 0.4 else None,
            **data.stamps(700 - i % 600),
        }
        data.rows("team").append(team)
        for person in rng.sample(people, 4):
            data.rows("membership").append(
                {
                    "id": data.new_id(),
                    "person_id": person["id"],
                    "team_id": team["id"],
                    "role": rng.choice(_MEMBERSHIP_ROLES),
                    **data.stamps(600),
                }
            )


def salesforce_orgs(data: Dataset) -> None:
    rng = data.rng
    productions: list[Row] = []
    for i in range(max(3, data.size // 10)):
        fifteen = f"00D{i:012d}"
        kind = "PRODUCTION" if i % 3 == 0 or not productions else rng.choice(("SANDBOX", "SCRATCH"))
        org = {
            "id": data.new_id(),
            "org_id": fifteen + checksum(fifteen),
            "name": f"Org {i:04d}",
            "instance_url": f"https://org{i}.my.salesforce.com",
            "kind": kind,
            "parent_id": None if kind == "PRODUCTION" else rng.choice(productions)["id"],
            "last_refreshed_at": data.moment(rng.randint(2, 90)) if kind == "SANDBOX" else None,
            "expires_at": data.moment(-rng.randint(2, 30)) if kind == "SCRATCH" else None,
            "credentials_ref": f"org-{i}",
            "backup_provider": "OwnBackup" if rng.random() > 0.5 else None,
            "backup_rpo_seconds": 3600 * rng.randint(1, 24) if rng.random() > 0.5 else None,
            "backup_last_verified_restore_at": data.moment(rng.randint(2, 120)),
            "archived_at": None,
            **data.stamps(500 - i % 400),
        }
        if kind == "PRODUCTION":
            productions.append(org)
        data.rows("salesforce_org").append(org)


def _calendar(rng: random.Random) -> dict[str, Any]:
    start = rng.choice(("07:00", "08:00", "09:00"))
    return {
        "time_zone": rng.choice(_ZONES),
        "weekly_hours": [{"day": day, "start": start, "end": "18:00"} for day in _WEEKDAYS],
        "holidays": sorted({f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}),
    }


def services(data: Dataset) -> None:
    rng = data.rng
    teams, orgs = data.rows("team"), data.rows("salesforce_org")
    for i in range(data.size):
        slug = f"svc-{i:05d}"
        reviewed = rng.random() > 0.3
        data.rows("service").append(
            {
                "id": data.new_id(),
                "slug": slug,
                "name": f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {i:05d}",
                "description": f"Runs the {slug} capability for the business." * rng.randint(0, 3),
                "owner_team_id": rng.choice(teams)["id"],
                "tier": rng.choice(_TIERS),
                "lifecycle": rng.choice(_LIFECYCLES),
                "tags": rng.sample(_TAGS, rng.randint(0, 3)),
                "runbook_url": f"https://runbooks.bench.test/{slug}"
                if rng.random() > 0.3
                else None,
                "repo_url": f"https://git.bench.test/{slug}" if rng.random() > 0.2 else None,
                "dashboard_url": None if rng.random() > 0.5 else f"https://dash.bench.test/{slug}",
                "salesforce_key": slug,
                "data_classification": rng.choice(_CLASSIFICATIONS),
                "compliance_regimes": rng.sample(_REGIMES, rng.randint(0, 2)),
                "business_calendar": _calendar(rng) if rng.random() > 0.6 else None,
                "backup_rpo_seconds": 900 * rng.randint(1, 8) if rng.random() > 0.4 else None,
                "backup_rto_seconds": 3600 * rng.randint(1, 8) if rng.random() > 0.4 else None,
                "backup_last_verified_restore_at": (
                    data.moment(rng.randint(2, 200)) if rng.random() > 0.5 else None
                ),
                "review_interval_days": rng.choice((30, 90, 180)),
                # Whole days plus a half: a review falls due at least 12 h from now.
                "last_reviewed_at": data.moment(rng.randint(1, 250) + 0.5) if reviewed else None,
                "archived_at": data.moment(3) if rng.random() < 0.03 else None,
                **data.stamps(rng.randint(300, 700) + 0.5),
            }
        )
        for position, org in enumerate(rng.sample(orgs, rng.randint(0, min(3, len(orgs))))):
            data.rows("service_salesforce_org").append(
                {"service_id": data.rows("service")[-1]["id"], "salesforce_org_id": org["id"],
                 "position": position}
            )  # fmt: skip


def ownership_roles(data: Dataset) -> None:
    rng = data.rng
    people = data.rows("person")
    today = data.now.date()
    for service in data.rows("service"):
        kinds = ["PRODUCT_OWNER", *rng.sample(_ROLE_KINDS, rng.randint(0, 3))]
        if rng.random() < 0.2:
            kinds.append("PRODUCT_OWNER")  # a second, often past, product owner
        created = service["created_at"]
        for index, kind in enumerate(kinds):
            ended = index > 0 and rng.random() < 0.25
            data.rows("ownership_role").append(
                {
                    "id": data.new_id(),
                    "service_id": service["id"],
                    "person_id": rng.choice(people)["id"],
                    "role": kind,
                    "effective_from": today - timedelta(days=rng.randint(30, 400)),
                    "effective_to": (
                        today - timedelta(days=rng.randint(2, 20))
                        if ended
                        else (today + timedelta(days=rng.randint(2, 300)))
                        if rng.random() < 0.2
                        else None
                    ),
                    # Distinct per service: roles are listed in creation order.
                    "created_at": created + timedelta(seconds=index),
                    "updated_at": created + timedelta(seconds=index),
                    "version": 1,
                }
            )


def feedback(data: Dataset) -> None:
    """0-4 pieces of feedback per service from its users, some rated."""
    rng = data.rng
    people = data.rows("person")
    for service in data.rows("service"):
        for index in range(rng.randint(0, 4)):
            created = data.moment(rng.randint(2, 200))
            data.rows("feedback").append(
                {
                    "id": data.new_id(),
                    "service_id": service["id"],
                    "author_id": rng.choice(people)["id"],
                    "kind": rng.choice(_FEEDBACK_KINDS),
                    "title": f"Feedback {index} on {service['slug']}",
                    "body": "It would help if the page loaded faster." * rng.randint(1, 3),
                    "rating": rng.randint(1, 5) if rng.random() > 0.5 else None,
                    "channel": "API",
                    "status": rng.choice(_FEEDBACK_STATUSES),
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                }
            )


CAPABILITIES: tuple[Capability, ...] = (
    Capability("organisation", ("business_unit", "person", "team", "membership"), organisation),
    Capability("salesforce_orgs", ("salesforce_org",), salesforce_orgs),
    Capability("services", ("service", "service_salesforce_org"), services),
    Capability("ownership_roles", ("ownership_role",), ownership_roles),
    Capability("feedback", ("feedback",), feedback),
    Capability("slas", ("sla", "objective"), levels_data.slas),
    Capability(
        "incidents",
        ("incident", "incident_service", "incident_status_change"),
        levels_data.incidents,
    ),
    Capability(
        "requests",
        ("service_request", "service_request_status_change"),
        levels_data.requests,
    ),
    # Later: dependencies — a Capability here.
)


def generate(size: int, *, seed: int = 1, now: datetime | None = None,
             available: Iterable[str] | None = None) -> tuple[Dataset, list[str]]:  # fmt: skip
    """The dataset of `size` services, and the capabilities skipped for missing tables."""
    data = Dataset(size, seed, (now or datetime.now(UTC)).replace(microsecond=0))
    present = set(available) if available is not None else None
    skipped: list[str] = []
    for capability in CAPABILITIES:
        if present is not None and not present.issuperset(capability.tables):
            skipped.append(capability.name)
            continue
        capability.build(data)
    return data, skipped


def today_of(data: Dataset) -> date:
    return data.now.date()
