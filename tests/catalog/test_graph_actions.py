"""The rules of shared resources and dependencies, and who may change them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.graph import actions
from catalog.graph.models import Dependency, DependencyKind, SharedResourceKind
from catalog.services import actions as service_actions
from core.clock import utcnow
from core.errors import AccessDenied, Duplicate, HasDependents, Invalid, NotFound
from core.history import RecordVersion
from identity.principal import Principal, Role
from tests.builders.catalog import create_dependency, create_service, create_shared_resource
from tests.builders.identity import create_team

ADMIN = Principal(subject="root", issuer="test", granted_roles=frozenset({Role.ADMIN}))


def member_of(team_id: uuid.UUID) -> Principal:
    return Principal(
        subject="member",
        issuer="test",
        granted_roles=frozenset({Role.TEAM_MEMBER}),
        team_ids=frozenset({team_id}),
    )


async def _dependencies(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Dependency)) or 0)


async def test_a_dependency_needs_exactly_one_target(session: AsyncSession) -> None:
    source = await create_service(session)
    target = await create_service(session)
    resource = await create_shared_resource(session)

    neither: dict[str, Any] = {}
    both: dict[str, Any] = {"target_service_id": target.id, "target_resource_id": resource.id}
    for targets in (neither, both):
        with pytest.raises(Invalid) as refused:
            await actions.create_dependency(
                session,
                principal=ADMIN,
                source_service_id=source.id,
                kind=DependencyKind.RUNTIME,
                **targets,
            )
        assert refused.value.field == ["targetId"]
    assert await _dependencies(session) == 0


async def test_a_service_cannot_depend_on_itself(session: AsyncSession) -> None:
    service = await create_service(session)

    with pytest.raises(Invalid, match="itself"):
        await actions.create_dependency(
            session,
            principal=ADMIN,
            source_service_id=service.id,
            target_service_id=service.id,
            kind=DependencyKind.RUNTIME,
        )


async def test_the_same_dependency_twice_is_a_duplicate_but_another_kind_is_not(
    session: AsyncSession,
) -> None:
    source = await create_service(session)
    resource = await create_shared_resource(session)
    await create_dependency(session, source, resource, DependencyKind.AUTH)

    with pytest.raises(Duplicate):
        await actions.create_dependency(
            session,
            principal=ADMIN,
            source_service_id=source.id,
            target_resource_id=resource.id,
            kind=DependencyKind.AUTH,
        )
    created = await actions.create_dependency(
        session,
        principal=ADMIN,
        source_service_id=source.id,
        target_resource_id=resource.id,
        kind=DependencyKind.DATA,
    )
    assert created.kind is DependencyKind.DATA


async def test_unknown_source_and_target_are_not_found(session: AsyncSession) -> None:
    service = await create_service(session)

    with pytest.raises(NotFound) as no_source:
        await actions.create_dependency(
            session,
            principal=ADMIN,
            source_service_id=uuid.uuid4(),
            target_service_id=service.id,
            kind=DependencyKind.RUNTIME,
        )
    with pytest.raises(NotFound) as no_target:
        await actions.create_dependency(
            session,
            principal=ADMIN,
            source_service_id=service.id,
            target_resource_id=uuid.uuid4(),
            kind=DependencyKind.RUNTIME,
        )

    assert (no_source.value.field, no_target.value.field) == (["sourceId"], ["targetId"])


async def test_nothing_new_may_depend_on_an_archived_target(session: AsyncSession) -> None:
    source = await create_service(session)
    retired = await create_shared_resource(session, archived_at=utcnow())

    with pytest.raises(Invalid, match="archived"):
        await actions.create_dependency(
            session,
            principal=ADMIN,
            source_service_id=source.id,
            target_resource_id=retired.id,
            kind=DependencyKind.DATA,
        )


async def test_only_the_source_owner_team_adds_or_removes_dependencies(
    session: AsyncSession,
) -> None:
    source = await create_service(session)
    target = await create_service(session)  # owned by another team: no matter
    outsider = member_of(target.owner_team_id)

    with pytest.raises(AccessDenied):
        await actions.create_dependency(
            session,
            principal=outsider,
            source_service_id=source.id,
            target_service_id=target.id,
            kind=DependencyKind.RUNTIME,
        )
    created = await actions.create_dependency(
        session,
        principal=member_of(source.owner_team_id),
        source_service_id=source.id,
        target_service_id=target.id,
        kind=DependencyKind.RUNTIME,
    )
    with pytest.raises(AccessDenied):
        await actions.delete_dependency(
            session, principal=outsider, dependency_id=created.id, version=1
        )
    await actions.delete_dependency(
        session, principal=member_of(source.owner_team_id), dependency_id=created.id, version=1
    )
    assert await _dependencies(session) == 0


async def test_dependency_changes_are_kept_in_history(session: AsyncSession) -> None:
    source = await create_service(session)
    resource = await create_shared_resource(session)

    created = await actions.create_dependency(
        session,
        principal=ADMIN,
        source_service_id=source.id,
        target_resource_id=resource.id,
        kind=DependencyKind.AUTH,
        description="Sign-in through the IdP",
    )
    await actions.delete_dependency(session, principal=ADMIN, dependency_id=created.id, version=1)

    versions = (
        await session.scalars(
            select(RecordVersion)
            .where(RecordVersion.record_id == created.id)
            .order_by(RecordVersion.version)
        )
    ).all()
    assert [(row.table_name, row.version, row.action) for row in versions] == [
        ("dependency", 1, "CREATE"),
        ("dependency", 2, "DELETE"),
    ]
    created_fields = {change["field"]: change["to"] for change in versions[0].changes}
    assert created_fields == {
        "criticality": "MEDIUM",
        "description": "Sign-in through the IdP",
        "kind": "AUTH",
        "source_service_id": str(source.id),
        "target_resource_id": str(resource.id),
    }


async def test_the_database_refuses_two_targets_and_self_dependencies(
    session: AsyncSession,
) -> None:
    service = await create_service(session)
    resource = await create_shared_resource(session)

    for values in (
        {"target_service_id": None, "target_resource_id": None},
        {"target_service_id": service.id, "target_resource_id": resource.id},
        {"target_service_id": service.id, "target_resource_id": None},
    ):
        savepoint = await session.begin_nested()
        session.add(Dependency(source_service_id=service.id, kind=DependencyKind.RUNTIME, **values))
        with pytest.raises(IntegrityError):
            await session.flush()
        await savepoint.rollback()


async def test_a_shared_resource_with_dependents_cannot_be_deleted(session: AsyncSession) -> None:
    resource = await create_shared_resource(session)
    dependency = await create_dependency(session, await create_service(session), resource)

    savepoint = await session.begin_nested()  # as each mutation runs
    with pytest.raises(HasDependents, match="dependency"):
        await actions.delete_shared_resource(
            session, principal=ADMIN, resource_id=resource.id, version=1
        )
    await savepoint.rollback()
    await actions.delete_dependency(
        session, principal=ADMIN, dependency_id=dependency.id, version=1
    )
    await actions.delete_shared_resource(
        session, principal=ADMIN, resource_id=resource.id, version=1
    )


async def test_a_service_others_depend_on_cannot_be_deleted(session: AsyncSession) -> None:
    needed = await create_service(session)
    await create_dependency(session, await create_service(session), needed)

    with pytest.raises(HasDependents, match="dependency"):
        await service_actions.delete_service(
            session, principal=ADMIN, service_id=needed.id, version=1
        )


async def test_shared_resource_names_are_unique(session: AsyncSession) -> None:
    team = await create_team(session)
    await create_shared_resource(session, name="Okta", owner_team_id=team.id)

    with pytest.raises(Duplicate) as refused:
        await actions.create_shared_resource(
            session,
            principal=ADMIN,
            fields={
                "name": " Okta ",
                "kind": SharedResourceKind.IDENTITY_PROVIDER,
                "owner_team_id": team.id,
            },
        )
    assert refused.value.field == ["name"]


async def test_only_the_owner_team_registers_or_moves_a_shared_resource(
    session: AsyncSession,
) -> None:
    team, other = await create_team(session), await create_team(session)
    fields = {"name": "Kafka", "kind": SharedResourceKind.MIDDLEWARE, "owner_team_id": team.id}

    with pytest.raises(AccessDenied):
        await actions.create_shared_resource(session, principal=member_of(other.id), fields=fields)
    resource = await actions.create_shared_resource(
        session, principal=member_of(team.id), fields=fields
    )
    with pytest.raises(AccessDenied):
        await actions.update_shared_resource(
            session,
            principal=member_of(team.id),
            resource_id=resource.id,
            version=1,
            changes={"owner_team_id": other.id},
        )
