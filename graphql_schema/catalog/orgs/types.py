"""Salesforce orgs as GraphQL sees them, and what their live fields (and `Service`'s) return:
read at query time, never stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import FromClause

import graphql_schema.catalog.orgs.enums  # noqa: F401  (registers the enums first)
from catalog.orgs import models as org_models
from graphql_schema.catalog.backups.fields import SalesforceOrgBackupFields
from graphql_schema.catalog.org_users.fields import SalesforceOrgProvisioningFields
from graphql_schema.catalog.orgs import loaders
from graphql_schema.catalog.sandboxes.fields import SalesforceOrgSandboxFields
from graphql_schema.catalog.trust.fields import SalesforceOrgTrustFields
from graphql_schema.compiled.declarations import (
    Column,
    Embedded,
    GlobalId,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.context import Info
from graphql_schema.history import Versioned
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from salesforce.http import ApiUsage
from salesforce.records import Adoption, CaseRecord, IdeaRecord, OrgLimit


@strawberry.type(description="An open Salesforce Case about a service.")
class SalesforceCase:
    salesforce_id: str = strawberry.field(description="The Case's 18-character id.")
    org_id: str = strawberry.field(description="The org the Case lives in.")
    case_number: str | None
    subject: str | None
    status: str | None
    priority: str | None
    created_at: datetime | None
    url: str

    @classmethod
    def from_record(cls, org_id: str, case: CaseRecord) -> SalesforceCase:
        return cls(
            salesforce_id=case.id,
            org_id=org_id,
            case_number=case.case_number,
            subject=case.subject,
            status=case.status,
            priority=case.priority,
            created_at=case.created_at,
            url=case.url,
        )


@strawberry.type(description="Open Cases about a service, and how many missed a milestone.")
class SalesforceCaseSummary:
    open: int
    violated: int = strawberry.field(
        description="Open Cases with a violated milestone not yet completed."
    )


@strawberry.type(description="A Salesforce Idea about a service.")
class SalesforceIdea:
    salesforce_id: str
    org_id: str
    title: str
    body: str | None
    status: str | None
    votes: int
    created_at: datetime | None
    url: str

    @classmethod
    def from_record(cls, org_id: str, idea: IdeaRecord) -> SalesforceIdea:
        return cls(
            salesforce_id=idea.id,
            org_id=org_id,
            title=idea.title,
            body=idea.body,
            status=idea.status,
            votes=idea.votes,
            created_at=idea.created_at,
            url=idea.url,
        )


@strawberry.type(description="One of the org's limits.")
class SalesforceLimit:
    name: str
    max: int
    remaining: int

    @classmethod
    def from_record(cls, limit: OrgLimit) -> SalesforceLimit:
        return cls(name=limit.name, max=limit.max, remaining=limit.remaining)


@strawberry.type(description="API calls of the last 24 hours, from Salesforce's last answer.")
class SalesforceApiUsage:
    used: int
    total: int
    seen_at: datetime

    @classmethod
    def from_value(cls, usage: ApiUsage) -> SalesforceApiUsage:
        return cls(used=usage.used, total=usage.total, seen_at=usage.seen_at)


@strawberry.type(description="The org's limits, as its /limits resource lists them.")
class SalesforceLimits:
    all: list[SalesforceLimit]
    api_usage: SalesforceApiUsage | None = strawberry.field(
        description="From the Sforce-Limit-Info header of the org's last answer."
    )

    @strawberry.field(description="The daily API request allowance.")
    def daily_api_requests(self) -> SalesforceLimit | None:
        return next((limit for limit in self.all if limit.name == "DailyApiRequests"), None)


@strawberry.type(description="How much the org is used.")
class SalesforceAdoption:
    active_users: int = strawberry.field(
        description="Active standard users who logged in during the last 30 days."
    )
    licensed_users: int = strawberry.field(
        description="Licences in use (UserLicense), Chatter-only licences left out."
    )
    logins_last_30_days: int

    @classmethod
    def from_value(cls, adoption: Adoption) -> SalesforceAdoption:
        return cls(
            active_users=adoption.active_users,
            licensed_users=adoption.licensed_users,
            logins_last_30_days=adoption.logins_last_30_days,
        )


def _org_ref(info: Info, model: Any) -> list[str]:
    gateway = info.context.salesforce
    ref = model.credentials_ref
    return [ref] if gateway is not None and gateway.connected(ref) else []


ORG_NULL_WHEN = " Null when the org is not connected, or fails (see errors)."


# SalesforceOrg's live fields: a mixin keeps them where the SDL lists them. Here, not in
# fields.py: fields.py reads the types above, and SalesforceOrg below inherits these.
@strawberry.type
class SalesforceOrgLiveFields:
    model: strawberry.Private[Any]

    @strawberry.field(description="The org's limits, read live." + ORG_NULL_WHEN)
    async def limits(self, info: Info) -> SalesforceLimits | None:
        refs = _org_ref(info, self.model)
        found = await loaders.per_org(info.context.loaders.salesforce_limits, refs, "")
        gateway = info.context.salesforce
        if found is None or gateway is None:
            return None
        usage = gateway.api_usage(refs[0])
        return SalesforceLimits(
            all=[SalesforceLimit.from_record(limit) for limit in found[0][1]],
            api_usage=SalesforceApiUsage.from_value(usage) if usage else None,
        )

    @strawberry.field(description="Users, licences and logins, read live." + ORG_NULL_WHEN)
    async def adoption(self, info: Info) -> SalesforceAdoption | None:
        found = await loaders.per_org(
            info.context.loaders.salesforce_adoption, _org_ref(info, self.model), ""
        )
        return SalesforceAdoption.from_value(found[0][1]) if found else None


@strawberry.type(description="How an org's business data is backed up.")
class OrgBackupPolicy:
    provider: str | None
    rpo_seconds: int | None
    last_verified_restore_at: datetime | None


@strawberry.type(description="A Salesforce org that services run on.")
class SalesforceOrg(
    Node,
    Versioned,
    SalesforceOrgLiveFields,
    SalesforceOrgBackupFields,
    SalesforceOrgSandboxFields,
    SalesforceOrgProvisioningFields,
    SalesforceOrgTrustFields,
):
    id: strawberry.ID
    org_id: str = strawberry.field(description="The 18-character org id.")
    name: str
    instance_url: str
    instance_key: str | None = strawberry.field(
        description="The Salesforce instance (NA135, EU45...) the Trust status API names it by;"
        " read from an instance URL that names it, else given."
    )
    kind: org_models.OrgKind
    last_refreshed_at: datetime | None
    expires_at: datetime | None
    backup_policy: OrgBackupPolicy
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[org_models.SalesforceOrg]

    @classmethod
    def from_model(cls, org: org_models.SalesforceOrg) -> SalesforceOrg:
        return cls(
            id=global_id("SalesforceOrg", org.id),
            org_id=org.org_id,
            name=org.name,
            instance_url=org.instance_url,
            instance_key=org.instance_key,
            kind=org.kind,
            last_refreshed_at=org.last_refreshed_at,
            expires_at=org.expires_at,
            backup_policy=OrgBackupPolicy(
                provider=org.backup_provider,
                rpo_seconds=org.backup_rpo_seconds,
                last_verified_restore_at=org.backup_last_verified_restore_at,
            ),
            version=org.version,
            created_at=org.created_at,
            updated_at=org.updated_at,
            model=org,
        )

    @strawberry.field(
        description="The key of the org's entry in CATALOG_SALESFORCE_ORGS, never the secret;"
        " reading it is audited."
    )
    def credentials_ref(self, info: Info) -> str | None:
        info.context.note_sensitive_read("SalesforceOrg.credentialsRef", self.model.id)
        return self.model.credentials_ref

    @strawberry.field(description="The production org of a sandbox or scratch org.")
    def parent(self) -> SalesforceOrg | None:
        parent = self.model.parent
        return SalesforceOrg.from_model(parent) if parent is not None else None


register_relations(
    "SalesforceOrg", {"parent": ([org_models.SalesforceOrg.parent], "SalesforceOrg")}
)


def _parent_of(org: FromClause, _: Parameters) -> Rows:
    parent = org_models.SalesforceOrg.__table__.alias()
    return Rows(parent, parent.c.id == org.c.parent_id)


declare_sql(
    "SalesforceOrg",
    {
        "id": GlobalId("SalesforceOrg"),
        "orgId": Column("org_id"),
        "name": Column("name"),
        "instanceUrl": Column("instance_url"),
        "instanceKey": Column("instance_key"),
        "kind": Column("kind"),
        "lastRefreshedAt": Column("last_refreshed_at"),
        "expiresAt": Column("expires_at"),
        "backupPolicy": Embedded(),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "parent": Relation("SalesforceOrg", _parent_of),
    },
)
declare_sql(
    "OrgBackupPolicy",
    {
        "provider": Column("backup_provider"),
        "rpoSeconds": Column("backup_rpo_seconds"),
        "lastVerifiedRestoreAt": Column("backup_last_verified_restore_at"),
    },
)
register_node("SalesforceOrg", org_models.SalesforceOrg, SalesforceOrg.from_model)
