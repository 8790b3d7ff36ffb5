"""Demo records for a fake org: Cases, milestones and Ideas per service, users and logins.

Deterministic for a given org and set of service keys, so every demo run shows the same.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from salesforce.fake.demo_ideas import add_votes
from salesforce.fake.demo_users import DirectoryPerson, add_people, add_user, profiles
from salesforce.fake.org import FakeOrg

SUBJECTS = (
    "Users cannot log in after the release",
    "Report totals do not match the dashboard",
    "Approval stuck in step 2",
    "Email-to-case duplicates replies",
    "Page layout missing a field",
    "Integration user locked out",
    "Slow list view on large accounts",
)
IDEAS = (
    ("Dark mode", "Easier on the eyes during night shifts."),
    ("Bulk edit from the list view", "Changing owners one record at a time takes hours."),
    ("Mobile offline access", "Field teams lose signal on site."),
    ("Export to CSV", "Finance wants the raw numbers every month."),
    ("Fewer clicks to close a case", "Closing takes five screens today."),
)
PRIORITIES = ("Low", "Medium", "High", "Critical")


def populate(
    org: FakeOrg,
    service_keys: Sequence[str],
    *,
    now: datetime | None = None,
    people: Sequence[DirectoryPerson] = (),
) -> None:
    """Fill `org` with believable records naming `service_keys`; `people` get users."""
    now = now or datetime.now(UTC)
    pick = random.Random(f"{org.org_id}:{','.join(sorted(service_keys))}")
    for key in service_keys:
        _cases(org, key, pick, now)
        for title, body in pick.sample(IDEAS, k=pick.randint(0, 3)):
            created = now - timedelta(days=pick.randint(1, 200))
            org.add(
                "Idea",
                Title=title,
                Body=body,
                Status=pick.choice(("New", "Under Consideration", "Planned")),
                VoteTotal=pick.randint(0, 60) * 10,
                CreatedDate=created,
                Service__c=key,
            )
    _users(org, pick, now, people)
    add_votes(org)


def _cases(org: FakeOrg, key: str, pick: random.Random, now: datetime) -> None:
    for _ in range(pick.randint(0, 5)):
        created = now - timedelta(hours=pick.randint(2, 24 * 20))
        closed = pick.random() < 0.4
        case = org.add(
            "Case",
            Subject=pick.choice(SUBJECTS),
            Priority=pick.choice(PRIORITIES),
            Status="Closed" if closed else pick.choice(("New", "Working", "Escalated")),
            Origin=pick.choice(("Web", "Email", "Phone")),
            CreatedDate=created,
            Service__c=key,
        )
        violated = not closed and pick.random() < 0.3
        org.add(
            "CaseMilestone",
            CaseId=case["Id"],
            IsViolated=violated,
            IsCompleted=closed,
            StartDate=created,
            TargetDate=created + timedelta(hours=8),
        )


def _users(
    org: FakeOrg, pick: random.Random, now: datetime, people: Sequence[DirectoryPerson]
) -> None:
    licensed = pick.randint(60, 240)
    org.add("UserLicense", Name="Salesforce", MasterLabel="Salesforce", Status="Active",
            TotalLicenses=licensed + pick.randint(0, 40), UsedLicenses=licensed)  # fmt: skip
    org.add("UserLicense", Name="Chatter Free", MasterLabel="Chatter Free", Status="Active",
            TotalLicenses=5000, UsedLicenses=pick.randint(10, 400))  # fmt: skip
    profile_ids = profiles(org)
    domain = org.username.partition("@")[2] or "example.com"
    for number in range(licensed):
        last_login = now - timedelta(days=pick.randint(0, 90), minutes=pick.randint(0, 600))
        user = add_user(
            org,
            Username=f"user{number:03d}@{domain}",
            Email=f"user{number:03d}@{domain}",
            IsActive=True,
            UserType="Standard",
            ProfileId=profile_ids["Salesforce"],
            LastLoginDate=last_login,
            Name="Demo user",
        )
        if last_login > now - timedelta(days=30):
            for _ in range(pick.randint(1, 4)):
                login = now - timedelta(days=pick.randint(0, 29), minutes=pick.randint(0, 600))
                org.add("LoginHistory", UserId=user["Id"], LoginTime=login, Status="Success")
    add_people(org, people, profile_ids["Salesforce"], now)
