"""Demo users of a fake org: profiles over its licences, a login per user, and the people of
the organisation as users (matched by federation id), plus a few contractors nobody knows.

Deterministic for a given org, so every demo run shows the same drift and licence use.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from salesforce.fake.org import FakeOrg

CONTRACTORS = ("jo.keller", "sam.ortiz", "lee.park")
CONTRACTOR_DOMAIN = "northwind-consulting.example"


@dataclass(frozen=True)
class DirectoryPerson:
    """Someone of the organisation who has a user in the org."""

    name: str
    email: str
    federation_id: str  # what single sign-on asserts: the identity provider's subject


def profiles(org: FakeOrg) -> dict[str, str]:
    """A profile for each licence of the org, by licence name: the profile's id."""
    names = {"Salesforce": "Standard User", "Chatter Free": "Chatter Free User"}
    found: dict[str, str] = {}
    for licence in list(org.records["UserLicense"].values()):
        name = names.get(licence["Name"], f"{licence['Name']} User")
        profile = org.add("Profile", Name=name, UserLicenseId=licence["Id"], UserType="Standard")
        found[licence["Name"]] = profile["Id"]
    return found


def add_user(org: FakeOrg, **values: Any) -> dict[str, Any]:
    """A user and the login record Salesforce keeps beside every user."""
    user = org.add("User", **values)
    org.add("UserLogin", UserId=user["Id"], IsFrozen=False, IsPasswordLocked=False)
    return user


def add_people(
    org: FakeOrg, people: Sequence[DirectoryPerson], profile_id: str, now: datetime
) -> None:
    """The organisation's people as users; some have not logged in for over 90 days."""
    pick = random.Random(f"{org.org_id}:people")
    domain = org.username.partition("@")[2] or "example.com"
    for person in people:
        add_user(
            org,
            Username=f"{person.email.partition('@')[0]}@{domain}",
            Email=person.email,
            FederationIdentifier=person.federation_id,
            Name=person.name,
            IsActive=True,
            UserType="Standard",
            ProfileId=profile_id,
            LastLoginDate=now - timedelta(days=pick.choice((0, 1, 3, 12, 40, 95, 130))),
        )
    for handle in CONTRACTORS:
        add_user(
            org,
            Username=f"{handle}@{domain}",
            Email=f"{handle}@{CONTRACTOR_DOMAIN}",
            Name=handle.replace(".", " ").title(),
            IsActive=True,
            UserType="Standard",
            ProfileId=profile_id,
            LastLoginDate=now - timedelta(days=pick.randint(0, 200)),
        )
