"""The GraphQL layer's own cost, without a database, as a ratio to plain graphql-core.

Run as `python -m tests.bench_guard.execution_cost`: it prints the ratio. The test runs it
in a fresh interpreter, because the state of a long test session (pytest's own objects,
every module of the app) slows plain graphql-core's dict-heavy execution by up to 2x and
would make the ratio depend on which tests ran before.


Our types, converters and resolvers answer the benchmark's full selection over services
held in memory; plain graphql-core answers the same document over the same answer held as
dicts (its default resolvers, no Python classes). Both parse and validate each time. The
ratio of the two, best of interleaved rounds, is what our layer costs above the GraphQL
machinery itself: a per-field async hook, an N+1 or an expensive converter shows up in it.
A ratio of CPU times, never a wall-clock figure: the machine's speed cancels out, and so
does time spent preempted by other processes.
"""

from __future__ import annotations

import gc
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import graphql
import strawberry

from bench.documents import SERVICE_FIELDS
from catalog.orgs.models import OrgKind
from catalog.orgs.models import SalesforceOrg as OrgModel
from catalog.services import models
from graphql_schema.catalog.services.types import Service
from identity.models import BusinessUnit, Person, Team, TeamKind
from server.registry import metadata

SERVICES = 20
DOCUMENT = "query Services { services {" + SERVICE_FIELDS + "} }"
# Measured at 1.55-1.65 on the benchmark machine (2 cores, Python 3.11): the margin absorbs
# noise and small changes; a converter or wrapper that doubles our share fails it.
MAX_RATIO = 2.5


def _stamps(days: int) -> dict[str, Any]:
    moment = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(days=days)
    return {"created_at": moment, "updated_at": moment, "version": 1}


def _services() -> list[models.Service]:
    unit = BusinessUnit(id=uuid.uuid4(), name="Unit", **_stamps(400))
    team = Team(
        id=uuid.uuid4(),
        name="Team",
        slug="team",
        kind=TeamKind.PRODUCT,
        contact_email="team@example.test",
        chat_channel="#team",
        **_stamps(300),
    )
    team.business_unit = unit
    production = OrgModel(
        id=uuid.uuid4(),
        org_id="00D000000000001AAA",
        name="Prod",
        instance_url="https://prod.example.test",
        kind=OrgKind.PRODUCTION,
        **_stamps(200),
    )
    production.parent = None
    sandbox = OrgModel(
        id=uuid.uuid4(),
        org_id="00D000000000002AAA",
        name="Sandbox",
        instance_url="https://sb.example.test",
        kind=OrgKind.SANDBOX,
        **_stamps(100),
    )
    sandbox.parent = production
    people = [
        Person(id=uuid.uuid4(), display_name=f"Person {n}", active=True, **_stamps(50))
        for n in range(3)
    ]
    found = []
    for n in range(SERVICES):
        service = models.Service(
            id=uuid.uuid4(),
            slug=f"service-{n}",
            name=f"Service {n}",
            description="A service.",
            owner_team_id=team.id,
            tier=models.Tier.TIER_2,
            lifecycle=models.Lifecycle.LIVE,
            tags=["crm", "b2b"],
            runbook_url="https://runbook.example.test",
            repo_url=None,
            dashboard_url=None,
            salesforce_key=f"service-{n}",
            data_classification=models.DataClassification.INTERNAL,
            compliance_regimes=["GDPR"],
            business_calendar={
                "time_zone": "UTC",
                "holidays": ["2026-12-25"],
                "weekly_hours": [{"day": "MONDAY", "start": "09:00", "end": "17:00"}],
            },
            backup_rpo_seconds=3600,
            backup_rto_seconds=None,
            backup_last_verified_restore_at=None,
            review_interval_days=90,
            last_reviewed_at=None,
            archived_at=None,
            **_stamps(10),
        )
        service.owner_team = team
        service.salesforce_orgs = [production, sandbox]
        roles = []
        for index, person in enumerate(people):
            role = models.OwnershipRole(
                id=uuid.uuid4(),
                service_id=service.id,
                person_id=person.id,
                role=models.OwnershipRoleKind.PRODUCT_OWNER
                if index == 0
                else models.OwnershipRoleKind.SUPPORT_OWNER,
                effective_from=date(2025, 1, 1),
                effective_to=None,
                **_stamps(5),
            )
            role.person = person
            roles.append(role)
        service.ownership_roles = roles
        found.append(service)
    return found


def _ours() -> strawberry.Schema:
    assert metadata.tables  # every model is mapped before one is built
    held = _services()

    @strawberry.type
    class Query:
        @strawberry.field
        def services(self) -> list[Service]:
            return [Service.from_model(service) for service in held]

    return strawberry.Schema(query=Query)


def _best_of(rounds: int, runs: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, run in runs.items():
            gc.collect()
            gc.disable()  # a collection's cost depends on the whole heap, not on this code
            try:
                started = time.process_time()
                for _ in range(repeat):
                    run()
                best[name] = min(best[name], time.process_time() - started)
            finally:
                gc.enable()
    return best


def measure() -> float:
    """ours / plain graphql-core, best of interleaved rounds of CPU time."""
    ours = _ours()
    answer = ours.execute_sync(DOCUMENT)
    assert answer.errors is None, answer.errors
    assert answer.data is not None
    plain = graphql.build_schema(ours.as_str())
    root = {"services": answer.data["services"]}
    again = graphql.graphql_sync(plain, DOCUMENT, root_value=root)
    assert again.errors is None, again.errors
    assert again.data == answer.data
    best = _best_of(
        7,
        {
            "ours": lambda: ours.execute_sync(DOCUMENT),
            "plain": lambda: graphql.graphql_sync(plain, DOCUMENT, root_value=root),
        },
        repeat=3,
    )
    return best["ours"] / best["plain"]


if __name__ == "__main__":
    print(f"{measure():.3f}")
