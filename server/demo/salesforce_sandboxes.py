"""The demo orgs' sandboxes and scratch orgs, in the fake Salesforce.

The registered sandboxes (server/demo/organisation.py) exist with their org ids and refresh
dates, beside unregistered ones: Global CRM's training sandbox was last refreshed before the
SAML hot fix reached production, Revenue Cloud's CPQ developer sandbox before the discount
hot fix, so both are listed on their fix. Revenue Cloud is the Dev Hub: its scratch orgs
belong to their makers' teams, some expiring within the week. The catalog's snapshot of
them fills on the first run of the `salesforce-sandboxes` job (hourly, or `service-catalog
worker --once salesforce-sandboxes`): the seed runs without the fake.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from salesforce.fake import FakeOrg
from salesforce.fake.org import Record
from salesforce.fake.sandboxes import add_sandbox, add_scratch_org
from server.demo.organisation import ORGS, PEOPLE

DEV_HUB = "revenue-prod"
_D = timedelta(days=1)
# Per production org: (name, licence, days since created, days since last refreshed or None,
# the registered sandbox it is, the sandbox it was cloned from, refreshing now).
_Sandbox = tuple[str, str, int, int | None, str | None, str | None, bool]
SANDBOXES: dict[str, tuple[_Sandbox, ...]] = {
    "crm-prod": (
        ("uat", "FULL", 420, 14, "crm-uat", None, False),
        ("int", "PARTIAL", 380, 41, "crm-int", None, False),
        ("training", "DEVELOPER_PRO", 260, 95, None, None, False),
        ("hotfix", "DEVELOPER", 2, None, None, "uat", True),
    ),
    "revenue-prod": (
        ("uat", "FULL", 300, 7, "revenue-uat", None, False),
        ("cpqdev", "DEVELOPER", 150, 30, None, None, False),
    ),
    "partner-prod": (("qa", "DEVELOPER_PRO", 500, 63, "partner-qa", None, False),),
}
# Scratch orgs of the Dev Hub: (name, maker, days to expiry, the registered scratch org).
SCRATCH_ORGS = (
    ("CPQ guided selling", "grace.liu", 12, "cpq-scratch"),
    ("Discount rules spike", "omar.haddad", 3, None),
    ("Flow regression suite", "nina.petrova", 5, None),
    ("Einstein trial", "ben.carter", 25, None),
)


def add_demo_sandboxes(org: FakeOrg, key: str, *, now: datetime | None = None) -> None:
    """Give the demo org `key` its sandboxes, and the Dev Hub its scratch orgs."""
    now = now or datetime.now(UTC)
    org_ids = {demo.key: demo.org_id for demo in ORGS}
    made: dict[str, Record] = {}
    for name, licence, age, refreshed, registered, source, refreshing in SANDBOXES.get(key, ()):
        copies = [now - age * _D] + ([now - refreshed * _D] if refreshed is not None else [])
        made[name] = add_sandbox(
            org,
            name,
            licence=licence,
            copies=copies if refreshed is not None or not refreshing else [],
            sandbox_org_id=org_ids.get(registered or ""),
            source=made.get(source or ""),
            in_progress=now - _D if refreshing else None,
        )
    if key != DEV_HUB:
        return
    org.dev_hub = True
    emails = {person.handle: person.email for person in PEOPLE}
    for name, maker, expires_in, registered in SCRATCH_ORGS:
        user = _user(org, emails[maker])
        add_scratch_org(
            org,
            name,
            created=now - (30 - expires_in) * _D,
            expires_on=(now + expires_in * _D).date(),
            created_by=user,
            scratch_org_id=org_ids.get(registered or ""),
        )


def _user(org: FakeOrg, email: str) -> Record:
    """The org's user with this email (the demo's people may be users already), else a new one."""
    with org.lock:
        found = [user for user in org.records["User"].values() if user.get("Email") == email]
    if found:
        return found[0]
    return org.add("User", Username=email, Email=email, IsActive=True, UserType="Standard")
