"""An org's users, licences and freezes: what the provisioning reconciliation reads and does.

Three queries an org, whatever its size (paged by `nextRecordsUrl`): its active standard
users with their profile's licence (User -> Profile -> UserLicense, as Salesforce links
them), the logins that are frozen (UserLogin), and its licence types (UserLicense).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from simple_salesforce.api import Salesforce, SFType
from simple_salesforce.exceptions import SalesforceResourceNotFound

from salesforce import queries
from salesforce.records import parse_datetime

Json = dict[str, Any]

USER_FIELDS = (
    "Id, Username, Email, FederationIdentifier, IsActive, LastLoginDate,"
    " Profile.Name, Profile.UserLicense.Name"
)
# Standard users are the organisation's own people; portal, guest and automated users
# are not provisioned from the identity provider.
ACTIVE_USERS = (
    f"SELECT {USER_FIELDS} FROM User WHERE IsActive = true AND UserType = 'Standard' ORDER BY Id"
)
FROZEN_LOGINS = "SELECT Id, UserId, IsFrozen FROM UserLogin WHERE IsFrozen = true"
LICENCES = (
    "SELECT Id, Name, TotalLicenses, UsedLicenses FROM UserLicense"
    " WHERE Status = 'Active' ORDER BY Name"
)


@dataclass(frozen=True)
class OrgUserRecord:
    id: str
    username: str
    email: str | None
    federation_id: str | None
    is_active: bool
    is_frozen: bool
    profile: str | None
    licence: str | None
    last_login_at: datetime | None

    @classmethod
    def from_json(cls, record: Json, *, frozen: bool) -> OrgUserRecord:
        profile = record.get("Profile") or {}
        licence = profile.get("UserLicense") or {}
        return cls(
            id=record["Id"],
            username=record.get("Username") or "",
            email=record.get("Email"),
            federation_id=record.get("FederationIdentifier") or None,
            is_active=bool(record.get("IsActive")),
            is_frozen=frozen,
            profile=profile.get("Name"),
            licence=licence.get("Name"),
            last_login_at=parse_datetime(record.get("LastLoginDate")),
        )


@dataclass(frozen=True)
class LicenceRecord:
    name: str
    total: int
    assigned: int  # UsedLicenses: licences held by active users


@dataclass(frozen=True)
class OrgDirectory:
    users: tuple[OrgUserRecord, ...]
    licences: tuple[LicenceRecord, ...]

    @classmethod
    def from_json(cls, users: list[Json], frozen: list[Json], licences: list[Json]) -> OrgDirectory:
        frozen_ids = {login["UserId"] for login in frozen if login.get("IsFrozen")}
        return cls(
            users=tuple(
                OrgUserRecord.from_json(user, frozen=user["Id"] in frozen_ids) for user in users
            ),
            licences=tuple(
                LicenceRecord(
                    name=item.get("Name") or "",
                    total=int(item.get("TotalLicenses") or 0),
                    assigned=int(item.get("UsedLicenses") or 0),
                )
                for item in licences
            ),
        )


def freeze(user_id: str, sf: Salesforce) -> OrgUserRecord | None:
    """Set `IsFrozen` on the user's login (runs in a worker thread); None when the org has no
    such active user. Freezing a frozen user changes nothing: a retry is safe."""
    quoted = queries.quote(user_id)
    users = sf.query(f"SELECT {USER_FIELDS} FROM User WHERE Id = {quoted} AND IsActive = true")[
        "records"
    ]
    logins = sf.query(f"SELECT Id, IsFrozen FROM UserLogin WHERE UserId = {quoted}")["records"]
    if not users or not logins:
        return None
    if not logins[0].get("IsFrozen"):
        user_logins = cast(SFType, getattr(sf, "UserLogin"))  # noqa: B009  (dynamic attribute)
        try:
            user_logins.update(logins[0]["Id"], {"IsFrozen": True})
        except SalesforceResourceNotFound:  # NOT_FOUND or ENTITY_IS_DELETED: gone meanwhile
            return None
    return OrgUserRecord.from_json(users[0], frozen=True)
