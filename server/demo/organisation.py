"""The demo organisation: an IT department running the company's Salesforce services.

Plain data, no I/O. Dates are offsets in days from the moment of seeding, so the demo
always shows the same picture: a few services overdue for review, a scratch org about
to expire, one product owner who handed over.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import time

from catalog.orgs.models import OrgKind
from catalog.orgs.org_id import checksum
from catalog.services.calendar import Weekday
from catalog.services.models import DataClassification, Lifecycle, OwnershipRoleKind, Tier
from identity.models import MembershipRole, TeamKind

ISSUER = "https://sso.example.com"
EMAIL_DOMAIN = "example.com"

BUSINESS_UNITS = ("Sales & Service", "Finance & Legal", "Corporate IT")


@dataclass(frozen=True)
class DemoTeam:
    slug: str
    name: str
    kind: TeamKind
    unit: str
    chat_channel: str

    @property
    def contact_email(self) -> str:
        return f"{self.slug}@{EMAIL_DOMAIN}"


_P, _PL, _S = TeamKind.PRODUCT, TeamKind.PLATFORM, TeamKind.SUPPORT
_SALES, _FINANCE, _IT = BUSINESS_UNITS

TEAMS = (
    DemoTeam("sales-cloud", "Sales Cloud", _P, _SALES, "#sales-cloud"),
    DemoTeam("service-cloud", "Service Cloud", _P, _SALES, "#service-cloud"),
    DemoTeam("customer-engagement", "Marketing & Experience", _P, _SALES, "#cust-engagement"),
    DemoTeam("revenue-operations", "Revenue Operations", _P, _FINANCE, "#revops-crm"),
    DemoTeam("contracts-compliance", "Contracts & Compliance", _P, _FINANCE, "#legal-systems"),
    DemoTeam("salesforce-platform", "Salesforce Platform", _PL, _IT, "#sf-platform"),
    DemoTeam("integration-platform", "Integration Platform", _PL, _IT, "#integration"),
    DemoTeam("crm-service-desk", "CRM Service Desk", _S, _IT, "#crm-service-desk"),
)


@dataclass(frozen=True)
class DemoPerson:
    handle: str
    display_name: str
    teams: tuple[tuple[str, MembershipRole], ...] = ()

    @property
    def email(self) -> str:
        return f"{self.handle}@{EMAIL_DOMAIN}"

    @property
    def subject(self) -> str:
        """An Okta-style user id, stable for the handle."""
        return "00u" + hashlib.sha256(self.handle.encode()).hexdigest()[:17]


_PO, _ENG, _DA = (
    MembershipRole.PRODUCT_OWNER,
    MembershipRole.ENGINEER,
    MembershipRole.DESIGN_AUTHORITY,
)
_L1, _L2 = MembershipRole.SUPPORT_L1, MembershipRole.SUPPORT_L2

PEOPLE = (
    DemoPerson("amelia.hart", "Amelia Hart", (("sales-cloud", _PO),)),
    DemoPerson("david.okafor", "David Okafor", (("sales-cloud", _ENG),)),
    DemoPerson("priya.raman", "Priya Raman", (("sales-cloud", _ENG),)),
    DemoPerson("lukas.becker", "Lukas Becker", (("service-cloud", _PO),)),
    DemoPerson("sofia.marquez", "Sofía Márquez", (("service-cloud", _ENG),)),
    DemoPerson("kenji.watanabe", "Kenji Watanabe", (("service-cloud", _ENG),)),
    DemoPerson("chloe.dubois", "Chloé Dubois", (("customer-engagement", _PO),)),
    DemoPerson("marcus.reid", "Marcus Reid", (("customer-engagement", _ENG),)),
    DemoPerson("hannah.schmidt", "Hannah Schmidt", (("revenue-operations", _PO),)),
    DemoPerson("omar.haddad", "Omar Haddad", (("revenue-operations", _ENG),)),
    DemoPerson("grace.liu", "Grace Liu", (("revenue-operations", _ENG),)),
    DemoPerson("isabel.costa", "Isabel Costa", (("contracts-compliance", _PO),)),
    DemoPerson("tomas.novak", "Tomáš Novák", (("contracts-compliance", _ENG),)),
    DemoPerson("rachel.goldberg", "Rachel Goldberg", (("salesforce-platform", _PO),)),
    DemoPerson(
        "arjun.mehta",
        "Arjun Mehta",
        (("salesforce-platform", _DA), ("salesforce-platform", _ENG), ("sales-cloud", _DA)),
    ),
    DemoPerson("nina.petrova", "Nina Petrova", (("salesforce-platform", _ENG),)),
    DemoPerson("ben.carter", "Ben Carter", (("salesforce-platform", _ENG),)),
    DemoPerson("fatima.elamin", "Fatima El-Amin", (("integration-platform", _PO),)),
    DemoPerson(
        "jonas.lindqvist",
        "Jonas Lindqvist",
        (
            ("integration-platform", _ENG),
            ("integration-platform", _DA),
            ("revenue-operations", _DA),
        ),
    ),
    DemoPerson("mei.tanaka", "Mei Tanaka", (("integration-platform", _ENG),)),
    DemoPerson("carlos.rivera", "Carlos Rivera", (("crm-service-desk", _PO),)),
    DemoPerson("aisha.bello", "Aisha Bello", (("crm-service-desk", _L2), ("service-cloud", _L2))),
    DemoPerson("liam.oconnor", "Liam O'Connor", (("crm-service-desk", _L1),)),
    DemoPerson("eva.horvath", "Eva Horváth", (("crm-service-desk", _L1),)),
    DemoPerson("samuel.adeyemi", "Samuel Adeyemi", (("crm-service-desk", _L2),)),
    # Handed case management over to Lukas and left the company's CRM teams.
    DemoPerson("peter.walsh", "Peter Walsh"),
)


def team_product_owner(team_slug: str) -> str:
    """The handle of the team's PRODUCT_OWNER member."""
    return next(
        person.handle
        for person in PEOPLE
        if (team_slug, MembershipRole.PRODUCT_OWNER) in person.teams
    )


@dataclass(frozen=True)
class DemoOrg:
    key: str  # also its credentials reference in CATALOG_SALESFORCE_ORGS
    fifteen: str
    name: str
    instance_url: str
    kind: OrgKind
    parent: str | None = None
    refreshed_days_ago: int | None = None
    expires_in_days: int | None = None
    backup_provider: str | None = None
    backup_rpo_hours: int | None = None
    restore_verified_days_ago: int | None = None
    instance_key: str | None = None  # its Salesforce instance, as the Trust API names it

    @property
    def org_id(self) -> str:
        return self.fifteen + checksum(self.fifteen)


_PROD, _SANDBOX, _SCRATCH = OrgKind.PRODUCTION, OrgKind.SANDBOX, OrgKind.SCRATCH

ORGS = (
    DemoOrg("crm-prod", "00D5g00000AcmCR", "Global CRM", "https://acme.my.salesforce.com",
            _PROD, backup_provider="OwnBackup", backup_rpo_hours=24, restore_verified_days_ago=35,
            instance_key="NA135"),
    DemoOrg("revenue-prod", "00D5g00000AcmRv", "Revenue Cloud",
            "https://acme-revenue.my.salesforce.com", _PROD, backup_provider="OwnBackup",
            backup_rpo_hours=12, restore_verified_days_ago=21, instance_key="NA211"),
    DemoOrg("partner-prod", "00D8d00000AcmPc", "Partner Community",
            "https://acme-partners.my.salesforce.com", _PROD,
            backup_provider="Salesforce Backup", backup_rpo_hours=24,
            restore_verified_days_ago=130, instance_key="EU45"),
    DemoOrg("crm-uat", "00D1x00000AcmUa", "Global CRM UAT (full copy)",
            "https://acme--uat.sandbox.my.salesforce.com", _SANDBOX, parent="crm-prod",
            refreshed_days_ago=14, instance_key="CS42"),
    DemoOrg("crm-int", "00D1x00000AcmIn", "Global CRM integration (partial copy)",
            "https://acme--int.sandbox.my.salesforce.com", _SANDBOX, parent="crm-prod",
            refreshed_days_ago=41, instance_key="CS42"),
    DemoOrg("revenue-uat", "00D1x00000AcmRu", "Revenue Cloud UAT",
            "https://acme-revenue--uat.sandbox.my.salesforce.com", _SANDBOX,
            parent="revenue-prod", refreshed_days_ago=7, instance_key="CS87"),
    DemoOrg("partner-qa", "00D1x00000AcmPq", "Partner Community QA",
            "https://acme-partners--qa.sandbox.my.salesforce.com", _SANDBOX,
            parent="partner-prod", refreshed_days_ago=63, instance_key="CS109"),
    DemoOrg("cpq-scratch", "00D0a00000AcmSc", "CPQ guided selling (scratch)",
            "https://acme-revenue-cpq-dev-ed.scratch.my.salesforce.com", _SCRATCH,
            parent="revenue-prod", expires_in_days=12, instance_key="CS201"),
)  # fmt: skip


_MON_FRI = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)


@dataclass(frozen=True)
class DemoCalendar:
    """Weekday hours (and an optional Saturday morning); holidays as (month, day)."""

    time_zone: str
    opens: time
    closes: time
    holidays: tuple[tuple[int, int], ...]
    saturday: tuple[time, time] | None = None
    days: tuple[Weekday, ...] = _MON_FRI


CALENDARS = {
    "uk-office": DemoCalendar(
        "Europe/London", time(8), time(18), ((1, 1), (12, 25), (12, 26))
    ),
    "us-field-service": DemoCalendar(
        "America/Chicago", time(7), time(19), ((1, 1), (7, 4), (11, 11), (12, 25)),
        saturday=(time(8), time(12)),
    ),
    "finance-close": DemoCalendar(
        "Europe/Berlin", time(7), time(20), ((1, 1), (5, 1), (10, 3), (12, 24), (12, 25),
                                             (12, 26), (12, 31)),
    ),
    "apac-support": DemoCalendar(
        "Asia/Singapore", time(9), time(18), ((1, 1), (5, 1), (8, 9), (12, 25))
    ),
}  # fmt: skip


@dataclass(frozen=True)
class DemoRole:
    kind: OwnershipRoleKind
    person: str
    since_days: int = 400
    ended_days_ago: int | None = None


@dataclass(frozen=True)
class DemoBackup:
    rpo_hours: int
    rto_hours: int
    restore_verified_days_ago: int | None


TEAM_OWNER = "@team"  # the owner team's PRODUCT_OWNER member


@dataclass(frozen=True)
class DemoService:
    slug: str
    name: str
    team: str
    tier: Tier
    lifecycle: Lifecycle
    description: str
    tags: tuple[str, ...] = ()
    classification: DataClassification = DataClassification.INTERNAL
    regimes: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    calendar: str | None = None
    backup: DemoBackup | None = None
    review_interval_days: int = 90
    reviewed_days_ago: int | None = 30
    owner: str | None = TEAM_OWNER
    owner_since_days: int = 400
    roles: tuple[DemoRole, ...] = ()

    @property
    def product_owner(self) -> str | None:
        return team_product_owner(self.team) if self.owner == TEAM_OWNER else self.owner
