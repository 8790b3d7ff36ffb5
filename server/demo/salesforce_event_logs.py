"""The demo's Event Monitoring: the services' Salesforce footprints, and a quarter of event logs.

Global CRM serves 90 days of daily logs (made when read, salesforce/fake/demo_event_logs.py):
Opportunity Pipeline and Case Management share the org, and their adoption differs — a dozen
sales reps and four managers against sixteen service agents. Three days ago a sales manager
took 250,000 opportunities out with the Bulk API, at night, from Brazil: flagged on
Opportunity Pipeline, whose data it was. Partner Community has no Event Monitoring licence,
so Partner Portal's event-monitoring fields answer FEATURE_UNAVAILABLE. The catalog's
figures fill on the first run of the `salesforce-event-logs` job (hourly, or `service-catalog
worker --once salesforce-event-logs`): the seed runs without the fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.event_monitoring import actions
from catalog.services.models import Service
from salesforce.fake import FakeOrg
from salesforce.fake.demo_event_logs import DAYS, add_demo_event_logs
from server.demo.kit import SEED_PRINCIPAL, Tally

EVENT_LOG_ORGS = ("crm-prod",)
UNLICENSED_ORGS = ("partner-prod",)
BACKFILL_DAYS = DAYS + 2  # the first run reads the whole quarter
# slug -> (apps, objects, permission sets): what each service declares of its org.
FOOTPRINTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "opportunity-pipeline": (("Sales",), ("Opportunity", "ForecastingItem"), ("Forecast_Manager",)),
    "lead-management": ((), ("Lead",), ()),
    "account-hierarchy": ((), ("Account", "Contact"), ()),
    "case-management": (("Service_Console",), ("Case", "EmailMessage"), ("Case_Agent",)),
    "knowledge-base": ((), ("Knowledge__kav",), ()),
    "field-service-scheduling": (("Field_Service",), ("ServiceAppointment", "WorkOrder"), ()),
    "partner-portal": (("Partner_Central",), ("Opportunity", "Lead"), ()),
}


def add_demo_org_event_logs(org: FakeOrg, key: str, *, now: datetime | None = None) -> None:
    """Give the demo org `key` its event logs, or take its Event Monitoring licence away."""
    if key in UNLICENSED_ORGS:
        org.event_monitoring = False
    if key in EVENT_LOG_ORGS:
        add_demo_event_logs(org, now=now or datetime.now(UTC))


async def seed_demo_footprints(session: AsyncSession, *, tally: Tally) -> None:
    """Set each demo service's footprint; a service that has it already is left alone."""
    services = await session.scalars(select(Service).where(Service.slug.in_(sorted(FOOTPRINTS))))
    for service in services:
        apps, objects, permission_sets = FOOTPRINTS[service.slug]
        wanted: dict[str, Sequence[str]] = {
            "apps": list(apps),
            "objects": list(objects),
            "permission_sets": list(permission_sets),
        }
        current = {
            "apps": service.salesforce_apps,
            "objects": service.salesforce_objects,
            "permission_sets": service.salesforce_permission_sets,
        }
        changed = wanted != current
        if changed:
            await actions.update_salesforce_footprint(
                session,
                principal=SEED_PRINCIPAL,
                service_id=service.id,
                version=service.version,
                changes=wanted,
            )
        tally("salesforce footprint", created=changed)
