"""Business rules of Salesforce orgs."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs import repository
from catalog.orgs.instances import InvalidInstanceKey, instance_key_of, normalise_instance_key
from catalog.orgs.models import OrgKind, SalesforceOrg
from catalog.orgs.org_id import InvalidOrgId, normalise_org_id
from catalog.permissions import require_org_editor
from core.errors import DomainError, Duplicate, Invalid, NotFound, Required
from core.records import (
    apply_changes,
    archive_record,
    check_version,
    delete_record,
    require_found,
)
from core.repository import get_by_id
from core.validation import not_negative, optional_text, text_field, url_field
from identity.principal import Principal

# The unique keys of this domain's tables, as a refusal on the field they guard: the checks
# below refuse a duplicate first, but a concurrent writer can win the race to the insert.
UNIQUE_KEYS: dict[str, DomainError] = {
    "uq_salesforce_org_org_id": Duplicate("this org is already in the catalog", field=["orgId"]),
}


def _org_fields(fields: dict[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = dict(fields)
    if "org_id" in fields:
        try:
            checked["org_id"] = normalise_org_id(fields["org_id"])
        except InvalidOrgId as error:
            raise Invalid(str(error), field=["orgId"]) from None
    if "name" in fields:
        checked["name"] = text_field(fields["name"], field="name", max_length=200)
    if "instance_url" in fields:
        url = url_field(fields["instance_url"], field="instanceUrl", max_length=500)
        if url is None:
            raise Required("instanceUrl is required", field=["instanceUrl"])
        checked["instance_url"] = url.rstrip("/")
        derived = instance_key_of(checked["instance_url"])
        if fields.get("instance_key") is None and derived is not None:
            checked["instance_key"] = derived
    if fields.get("instance_key") is not None:
        try:
            checked["instance_key"] = normalise_instance_key(fields["instance_key"])
        except InvalidInstanceKey as error:
            raise Invalid(str(error), field=["instanceKey"]) from None
    if "kind" in fields:
        checked["kind"] = OrgKind(fields["kind"])
    if "credentials_ref" in fields:
        checked["credentials_ref"] = optional_text(
            fields["credentials_ref"], field="credentialsRef", max_length=100
        )
    if "backup_provider" in fields:
        checked["backup_provider"] = optional_text(
            fields["backup_provider"], field="backupPolicy.provider", max_length=200
        )
    if "backup_rpo_seconds" in fields:
        checked["backup_rpo_seconds"] = not_negative(
            fields["backup_rpo_seconds"], field="backupPolicy.rpoSeconds"
        )
    return checked


async def _check_org(
    session: AsyncSession, org: SalesforceOrg | None, fields: dict[str, Any]
) -> None:
    """The rules between fields, on the values the org will have once `fields` are applied."""

    def after(name: str) -> Any:
        return fields[name] if name in fields else getattr(org, name, None)

    org_id: str | None = fields.get("org_id")
    changed = org_id is not None and (org is None or org.org_id != org_id)
    if changed and org_id and await repository.get_by_org_id(session, org_id) is not None:
        raise Duplicate(f"org {org_id} is already in the catalog", field=["orgId"])
    kind, parent_id = after("kind"), after("parent_id")
    if kind is OrgKind.PRODUCTION and parent_id is not None:
        raise Invalid("a production org has no parent org", field=["parentId"])
    if (
        org is not None
        and org.kind is OrgKind.PRODUCTION
        and kind is not OrgKind.PRODUCTION
        and await repository.has_child_orgs(session, org.id)
    ):
        raise Invalid(
            "other orgs name this org as their production org; it stays PRODUCTION",
            field=["kind"],
        )
    if parent_id is not None:
        if org is not None and parent_id == org.id:
            raise Invalid("an org cannot be its own parent", field=["parentId"])
        parent = await get_by_id(session, SalesforceOrg, parent_id)
        if parent is None:
            raise NotFound("parent org not found", field=["parentId"])
        if parent.kind is not OrgKind.PRODUCTION:
            raise Invalid("the parent of an org is a production org", field=["parentId"])
    if kind is not OrgKind.SCRATCH and after("expires_at") is not None:
        raise Invalid("only scratch orgs expire", field=["expiresAt"])
    if kind is not OrgKind.SANDBOX and after("last_refreshed_at") is not None:
        raise Invalid("only sandboxes are refreshed", field=["lastRefreshedAt"])


async def create_salesforce_org(
    session: AsyncSession, *, principal: Principal, fields: dict[str, Any]
) -> SalesforceOrg:
    """Register a Salesforce org; the org id is validated and stored in its 18-character form."""
    require_org_editor(principal)
    checked = _org_fields(fields)
    await _check_org(session, None, checked)
    org = SalesforceOrg(**checked)
    session.add(org)
    await session.flush()
    return org


async def update_salesforce_org(
    session: AsyncSession,
    *,
    principal: Principal,
    org_id: uuid.UUID,
    version: int,
    changes: dict[str, Any],
) -> SalesforceOrg:
    """Change a Salesforce org."""
    require_org_editor(principal)
    org = require_found(await get_by_id(session, SalesforceOrg, org_id), what="Salesforce org")
    check_version(org, version)
    checked = _org_fields(changes)
    await _check_org(session, org, checked)
    apply_changes(org, checked)
    await session.flush()
    return org


async def archive_salesforce_org(
    session: AsyncSession, *, principal: Principal, org_id: uuid.UUID, version: int
) -> SalesforceOrg:
    """Hide an org (a deleted sandbox, an expired scratch org) from lists."""
    require_org_editor(principal)
    org = require_found(await get_by_id(session, SalesforceOrg, org_id), what="Salesforce org")
    await archive_record(session, org, version)
    return org


async def delete_salesforce_org(
    session: AsyncSession, *, principal: Principal, org_id: uuid.UUID, version: int
) -> None:
    """Delete an org no service runs on and no sandbox descends from."""
    require_org_editor(principal)
    org = require_found(await get_by_id(session, SalesforceOrg, org_id), what="Salesforce org")
    await delete_record(session, org, version, what="Salesforce org")
