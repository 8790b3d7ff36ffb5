"""Users, profiles, licences and logins in a fake org, as the provisioning tests need them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from salesforce.fake import FakeOrg


def licence(org: FakeOrg, name: str = "Salesforce", *, total: int = 10, used: int = 5) -> str:
    """A licence type and a profile over it: the profile's id."""
    found = org.add(
        "UserLicense", Name=name, MasterLabel=name, Status="Active",
        TotalLicenses=total, UsedLicenses=used,
    )  # fmt: skip
    return str(org.add("Profile", Name=f"{name} User", UserLicenseId=found["Id"])["Id"])


def user(
    org: FakeOrg,
    profile_id: str,
    handle: str,
    *,
    federation_id: str | None = None,
    days_since_login: int | None = 1,
    active: bool = True,
    frozen: bool = False,
) -> dict[str, Any]:
    """An active standard user with its login record."""
    last_login = (
        datetime.now(UTC) - timedelta(days=days_since_login)
        if days_since_login is not None
        else None
    )
    made = org.add(
        "User",
        Username=f"{handle}@acme.example.crm",
        Email=f"{handle}@acme.example",
        FederationIdentifier=federation_id,
        Name=handle,
        IsActive=active,
        UserType="Standard",
        ProfileId=profile_id,
        LastLoginDate=last_login,
    )
    org.add("UserLogin", UserId=made["Id"], IsFrozen=frozen, IsPasswordLocked=False)
    return made


def login_of(org: FakeOrg, user_id: str) -> dict[str, Any]:
    return next(r for r in org.records["UserLogin"].values() if r["UserId"] == user_id)
