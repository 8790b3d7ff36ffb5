"""`service-catalog import-ideas`: connected orgs' Ideas as feedback, one transaction per org."""

from __future__ import annotations

from collections.abc import Sequence

from core.db import make_engine, make_sessionmaker
from core.history import set_transaction_actor
from core.settings import Settings
from feedback.ideas_import import ACTOR, import_ideas
from salesforce.errors import SalesforceError
from salesforce.gateway import SalesforceGateway


async def run_ideas_import(
    settings: Settings, database_url: str, refs: Sequence[str] = ()
) -> list[tuple[str, str, bool]]:
    """(org reference, what happened, whether it worked) for each org asked, else every org."""
    gateway = SalesforceGateway.from_settings(settings)
    engine = make_engine(
        database_url,
        statement_timeout_ms=settings.statement_timeout_ms,
        transaction_pooler=settings.uses_transaction_pooler,
    )
    sessionmaker = make_sessionmaker(engine)
    outcomes: list[tuple[str, str, bool]] = []
    try:
        for ref in refs or list(settings.salesforce_orgs):
            if not gateway.connected(ref):
                outcomes.append((ref, "not in CATALOG_SALESFORCE_ORGS", False))
                continue
            try:
                async with sessionmaker() as session, session.begin():
                    await set_transaction_actor(session, actor=ACTOR, request_id=None)
                    summary = await import_ideas(session, source=gateway, ref=ref)
            except SalesforceError as error:
                outcomes.append((ref, str(error), False))
            else:
                outcomes.append((ref, str(summary), True))
    finally:
        await gateway.close()
        await engine.dispose()
    return outcomes
