"""Provisioning drift and licences of an org as GraphQL sees them: read from the last
reconciliation (the `salesforce-users` job), joined to people as they are now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import strawberry

from catalog.org_users import models
from graphql_schema.context import Info
from graphql_schema.identity.types import Person
from graphql_schema.prefetch import register_relations


@strawberry.type(
    description="An active user of a Salesforce org, as the last reconciliation found it."
)
class SalesforceOrgUser:
    salesforce_user_id: str = strawberry.field(description="The User's 18-character id.")
    username: str
    federation_identifier: str | None = strawberry.field(
        description="What single sign-on asserts for the user (User.FederationIdentifier)."
    )
    is_active: bool
    is_frozen: bool = strawberry.field(
        description="Whether the user's login is frozen (UserLogin.IsFrozen)."
    )
    profile: str | None
    licence: str | None = strawberry.field(description="The user licence of the user's profile.")
    last_login_at: datetime | None
    synced_at: datetime = strawberry.field(description="When the org was read for this user.")
    model: strawberry.Private[models.SalesforceOrgUser]

    @classmethod
    def from_model(cls, user: models.SalesforceOrgUser) -> SalesforceOrgUser:
        return cls(
            salesforce_user_id=user.salesforce_user_id,
            username=user.username,
            federation_identifier=user.federation_id,
            is_active=user.is_active,
            is_frozen=user.is_frozen,
            profile=user.profile_name,
            licence=user.licence_name,
            last_login_at=user.last_login_at,
            synced_at=user.synced_at,
            model=user,
        )

    @strawberry.field(description="The user's email address; reading it is audited.")
    def email(self, info: Info) -> str | None:
        info.context.note_sensitive_read("SalesforceOrgUser.email", self.model.id)
        return self.model.email

    @strawberry.field(description="The person the user was matched to, if any.")
    def person(self) -> Person | None:
        person = self.model.person
        return Person.from_model(person) if person is not None else None


register_relations("SalesforceOrgUser", {"person": ([models.SalesforceOrgUser.person], "Person")})


@strawberry.type(description="Where an org's users and the catalog's people disagree.")
class ProvisioningDrift:
    deactivated_but_active: list[SalesforceOrgUser] = strawberry.field(
        description="Active users of the org matched to a person who is deactivated: each"
        " should be frozen (freezeSalesforceUser) or deactivated in the org; a frozen one"
        " says so."
    )
    unmatched_active_users: list[SalesforceOrgUser] = strawberry.field(
        description="Active standard users no person matches (by federation id, email or username)."
    )
    synced_at: datetime | None = strawberry.field(
        description="When the org was last read; null before the first reconciliation."
    )


@dataclass(frozen=True)
class LicenceUse:
    """One licence type of an org, as the loader assembles it."""

    name: str
    total: int | None
    assigned: int | None
    used: int
    unused: int


@strawberry.type(description="A licence type of an org: what Salesforce counts and what is used.")
class SalesforceLicence:
    name: str
    total: int | None = strawberry.field(description="TotalLicenses, as Salesforce reports it.")
    assigned: int | None = strawberry.field(
        description="UsedLicenses, as Salesforce reports it: licences held by active users."
    )
    used: int = strawberry.field(
        description="Active users of this licence who logged in within the last 90 days."
    )
    unused: int = strawberry.field(
        description="Active users of this licence with no login in the last 90 days."
    )

    @classmethod
    def from_value(cls, value: LicenceUse) -> SalesforceLicence:
        return cls(
            name=value.name,
            total=value.total,
            assigned=value.assigned,
            used=value.used,
            unused=value.unused,
        )
