"""The demo's provisioning drift: a person who left (deactivated by the identity provider)
but is still an active user of the Salesforce orgs, until someone freezes them.

The fake orgs (server/demo/salesforce.py) get a user for every demo person and this one;
the seed deactivates them here and makes every org due a reconciliation, which the
`salesforce-users-due` job runs within a minute of `serve` starting its worker.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.org_users.actions import mark_reconciliation_due
from identity import actions as identity_actions
from identity import repository as identity_repository
from salesforce.fake.demo_users import DirectoryPerson
from server.demo.kit import Tally
from server.demo.organisation import ISSUER, PEOPLE, DemoPerson

# Left the company last month; their Salesforce users were never deactivated.
DEPARTED = DemoPerson("victor.hale", "Victor Hale")


def salesforce_people() -> list[DirectoryPerson]:
    """Everyone with a user in the demo orgs, named as single sign-on asserts them."""
    return [
        DirectoryPerson(person.display_name, person.email, person.subject)
        for person in (*PEOPLE, DEPARTED)
    ]


async def seed_demo_provisioning(session: AsyncSession, *, tally: Tally) -> None:
    """The departed person, deactivated, and a reconciliation due for every connected org."""
    found = await identity_repository.get_person_by_identity(session, ISSUER, DEPARTED.subject)
    tally("departed_person", created=found is None)
    if found is not None:
        return
    person = await identity_actions.ensure_person(
        session,
        issuer=ISSUER,
        subject=DEPARTED.subject,
        display_name=DEPARTED.display_name,
        email=DEPARTED.email,
        email_verified=True,
    )
    person.active = False
    await session.flush()
    await mark_reconciliation_due(session)
