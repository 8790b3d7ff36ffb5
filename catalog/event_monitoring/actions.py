"""Business rules of Event Monitoring: a service's Salesforce footprint, and the figures other
domains read (adoption for the ADOPTION KPI)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.event_monitoring import repository
from catalog.permissions import require_service_editor
from catalog.services.models import Service
from core.errors import Invalid
from core.records import check_version, require_found
from core.repository import get_by_id
from identity.principal import Principal

# An API name as Salesforce allows it (letters, digits, underscores; namespaced and custom
# ones with `__`), at most the column's 255 characters.
API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}$")
MAX_NAMES = 100
FOOTPRINT_FIELDS = {
    "apps": "salesforce_apps",
    "objects": "salesforce_objects",
    "permission_sets": "salesforce_permission_sets",
}


def _names(values: Sequence[str], *, field: str) -> list[str]:
    """Trimmed, checked API names, the first spelling of each kept (names ignore case)."""
    if len(values) > MAX_NAMES:
        raise Invalid(f"at most {MAX_NAMES} names", field=[field])
    kept: dict[str, str] = {}
    for index, value in enumerate(values):
        name = value.strip()
        if not API_NAME.match(name):
            raise Invalid(f"{value!r} is not a Salesforce API name", field=[field, str(index)])
        kept.setdefault(name.casefold(), name)
    return list(kept.values())


async def update_salesforce_footprint(
    session: AsyncSession,
    *,
    principal: Principal,
    service_id: uuid.UUID,
    version: int,
    changes: dict[str, Sequence[str]],
) -> Service:
    """Change the apps, objects and permission sets a service declares (its owner team or
    an ADMIN); kept in the service's history like its other fields."""
    service = require_found(await get_by_id(session, Service, service_id), what="service")
    require_service_editor(principal, service.owner_team_id)
    check_version(service, version)
    camel = {"apps": "apps", "objects": "objects", "permission_sets": "permissionSets"}
    for name, values in changes.items():
        setattr(service, FOOTPRINT_FIELDS[name], _names(values, field=camel[name]))
    await session.flush()
    return service


async def active_users_by_service(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], first_day: date, last_day: date
) -> dict[uuid.UUID, int]:
    """Distinct users active with each service's footprint over the days, for the services
    that declare one and run on an org whose event logs the job reads (licensed)."""
    states = await repository.org_states(session, service_ids)
    read = [sid for sid, found in states.items() if any(licensed for _, licensed in found)]
    footprinted = await repository.footprinted(session, read)
    figures = await repository.adoption(session, footprinted, first_day, last_day)
    return {
        service_id: next((users for day, users, _ in figures.get(service_id, []) if day is None), 0)
        for service_id in footprinted
    }
