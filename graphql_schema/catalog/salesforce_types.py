"""Types of the live Salesforce fields: read at query time, never stored."""

from __future__ import annotations

from datetime import datetime

import strawberry

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
