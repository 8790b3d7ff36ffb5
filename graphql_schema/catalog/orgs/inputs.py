"""Inputs of the Salesforce org mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.catalog.orgs.enums  # noqa: F401  (registers the enums first)
from catalog.orgs import models as org_models


@strawberry.input
class OrgBackupPolicyInput:
    provider: str | None = None
    rpo_seconds: int | None = None
    last_verified_restore_at: datetime | None = None


@strawberry.input
class CreateSalesforceOrgInput:
    org_id: str = strawberry.field(description="15 or 18 characters; stored as 18.")
    name: str
    instance_url: str
    kind: org_models.OrgKind
    instance_key: str | None = strawberry.field(
        default=None,
        description="The Salesforce instance (NA135); default: read from the instance URL.",
    )
    parent_id: strawberry.ID | None = None
    last_refreshed_at: datetime | None = None
    expires_at: datetime | None = None
    credentials_ref: str | None = None
    backup_policy: OrgBackupPolicyInput | None = None


@strawberry.input
class UpdateSalesforceOrgInput:
    id: strawberry.ID
    version: int
    org_id: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    instance_url: str | None = strawberry.UNSET
    instance_key: str | None = strawberry.UNSET
    kind: org_models.OrgKind | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.UNSET
    last_refreshed_at: datetime | None = strawberry.UNSET
    expires_at: datetime | None = strawberry.UNSET
    credentials_ref: str | None = strawberry.UNSET
    backup_policy: OrgBackupPolicyInput | None = strawberry.UNSET
