"""Business rules of backlog items: create, change, move through the status table, rank."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import SalesforceOrg
from catalog.services import actions as services
from catalog.services.models import Service
from core.errors import AccessDenied, Invalid, NotFound, Required
from core.history import note_extra_changes
from core.records import check_version, require_found
from core.repository import get_by_id, get_by_ids
from core.validation import not_negative, text_field
from identity.models import Team
from identity.principal import Principal
from work.backlog import repository
from work.backlog.errors import DesignReviewRequired, InvalidTransition
from work.backlog.models import BacklogItem, BacklogItemStatus, BacklogItemType
from work.backlog.transitions import (
    NEEDS_SERVICE,
    SKIPS_SPRINTS,
    allowed_next,
    default_needs_design_review,
    is_manual,
    may_need_design_review,
    mutation_for,
    review_blocks_done,
)


async def require_planner(
    session: AsyncSession,
    principal: Principal,
    *,
    team_id: uuid.UUID,
    service: Service | None = None,
    action: str,
) -> None:
    """The owner team of the backlog, the product owner of the item's service, or an ADMIN."""
    if principal.is_admin or team_id in principal.team_ids:
        return
    if service is not None:
        await services.require_service_steward(session, principal, service, action=action)
        return
    raise AccessDenied(f"{action} is reserved to the owner team and its product owner")


@dataclass(frozen=True)
class ItemFields:
    """What a planner says about an item; None leaves the stored value (or the default)."""

    title: str | None = None
    description: str | None = None
    type: BacklogItemType | None = None
    estimate: int | None = None
    needs_design_review: bool | None = None
    service_id: uuid.UUID | None = None
    affected_org_ids: list[uuid.UUID] | None = None


async def _service(session: AsyncSession, service_id: uuid.UUID | None) -> Service | None:
    if service_id is None:
        return None
    service = await services.get_service(session, service_id)
    if service is None or service.archived_at is not None:
        raise NotFound("no such service", field=["serviceId"])
    return service


def _check_kind(item_type: BacklogItemType, service_id: uuid.UUID | None, review: bool) -> None:
    if item_type in NEEDS_SERVICE and service_id is None:
        raise Required(f"a {item_type} item needs a service", field=["serviceId"])
    if review and not may_need_design_review(item_type):
        raise Invalid(f"a {item_type} item skips design review", field=["needsDesignReview"])


async def _check_orgs(
    session: AsyncSession, item_type: BacklogItemType, org_ids: list[uuid.UUID]
) -> None:
    if not org_ids:
        return
    if item_type not in SKIPS_SPRINTS:
        raise Invalid(
            "only hot fixes and vulnerabilities have affected orgs", field=["affectedOrgIds"]
        )
    if len(set(org_ids)) != len(org_ids):
        raise Invalid("an org is listed twice", field=["affectedOrgIds"])
    if len(await get_by_ids(session, SalesforceOrg, org_ids)) != len(org_ids):
        raise NotFound("Salesforce org not found", field=["affectedOrgIds"])


async def create_item(
    session: AsyncSession,
    *,
    principal: Principal,
    team_id: uuid.UUID | None,
    fields: ItemFields,
) -> BacklogItem:
    """A new item at the bottom of a team's backlog (the service's owner team by default)."""
    service = await _service(session, fields.service_id)
    if team_id is None and service is None:
        raise Required("give a teamId or a serviceId", field=["teamId"])
    if team_id is not None and await get_by_id(session, Team, team_id) is None:
        raise NotFound("team not found", field=["teamId"])
    owner = team_id or (service.owner_team_id if service else None)
    assert owner is not None
    await require_planner(session, principal, team_id=owner, service=service, action="planning")
    kind = fields.type or BacklogItemType.FEATURE
    review = (
        fields.needs_design_review
        if fields.needs_design_review is not None
        else default_needs_design_review(kind)
    )
    _check_kind(kind, service.id if service else None, review)
    org_ids = fields.affected_org_ids or []
    await _check_orgs(session, kind, org_ids)
    backlog = await repository.backlog_of_team(session, owner)
    item = BacklogItem(
        id=uuid.uuid4(),
        backlog_id=backlog.id,
        service_id=service.id if service else None,
        type=kind,
        status=BacklogItemStatus.NEW,
        title=text_field(fields.title or "", field="title", max_length=200),
        description=_description(fields.description),
        rank=await repository.next_rank(session, backlog.id),
        estimate=not_negative(fields.estimate, field="estimate"),
        needs_design_review=review,
    )
    if org_ids:
        await _note_orgs(session, item.id, [], org_ids)
    session.add(item)
    await session.flush()
    await repository.replace_affected_orgs(session, item.id, org_ids)
    return item


def _description(value: str | None) -> str:
    return text_field(value or "", field="description", max_length=10_000, required=False)


async def _note_orgs(
    session: AsyncSession, item_id: uuid.UUID, before: list[uuid.UUID], after: list[uuid.UUID]
) -> None:
    """The affected orgs live in a link table: tell the history trigger what changed."""
    change = {"field": "affected_org_ids", "from": before, "to": after}
    await note_extra_changes(session, record_id=item_id, changes=[change])


async def planned_item(
    session: AsyncSession, principal: Principal, item_id: uuid.UUID, *, field: str = "id"
) -> BacklogItem:
    """The item, locked, once the caller is known to plan its backlog."""
    item = require_found(
        (await repository.lock_items(session, [item_id])).get(item_id),
        what="backlog item",
        field=field,
    )
    await check_planner(session, principal, [item])
    return item


async def planned_items(
    session: AsyncSession, principal: Principal, item_ids: Sequence[uuid.UUID]
) -> list[BacklogItem]:
    """Several items, locked, in the order given, once the caller plans all their backlogs."""
    wanted = list(dict.fromkeys(item_ids))
    if not wanted:
        raise Invalid("give at least one item", field=["itemIds"])
    found = await repository.lock_items(session, wanted)
    if len(found) != len(wanted):
        raise NotFound("backlog item not found", field=["itemIds"])
    items = [found[key] for key in wanted]
    await check_planner(session, principal, items)
    return items


async def backlog_teams(
    session: AsyncSession, items: Sequence[BacklogItem]
) -> dict[uuid.UUID, uuid.UUID]:
    """The team whose backlog holds each item, by backlog id."""
    return await repository.backlog_teams(session, [item.backlog_id for item in items])


async def release_items(
    session: AsyncSession, item_ids: Sequence[uuid.UUID], *, at: datetime
) -> list[uuid.UUID]:
    """DONE items become RELEASED, stamped with the release time (one statement)."""
    return await repository.set_status(
        session,
        item_ids,
        before=BacklogItemStatus.DONE,
        after=BacklogItemStatus.RELEASED,
        values={"released_at": at},
    )


async def unrelease_items(session: AsyncSession, item_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """RELEASED items go back to DONE (a rollback), their release time cleared."""
    return await repository.set_status(
        session,
        item_ids,
        before=BacklogItemStatus.RELEASED,
        after=BacklogItemStatus.DONE,
        values={"released_at": None},
    )


async def check_planner(
    session: AsyncSession, principal: Principal, items: Sequence[BacklogItem]
) -> None:
    """The caller plans every one of these items' backlogs."""
    if principal.is_admin or not items:
        return
    teams = await repository.backlog_teams(session, [item.backlog_id for item in items])
    service_ids = [item.service_id for item in items if item.service_id is not None]
    found = await get_by_ids(session, Service, service_ids) if service_ids else {}
    for item in items:
        service = found.get(item.service_id) if item.service_id else None
        await require_planner(
            session, principal, team_id=teams[item.backlog_id], service=service, action="planning"
        )


async def update_item(
    session: AsyncSession,
    *,
    principal: Principal,
    item_id: uuid.UUID,
    version: int | None,
    fields: ItemFields,
    given: frozenset[str],
) -> BacklogItem:
    """Change what an item says; its type only while NEW or READY."""
    item = await planned_item(session, principal, item_id)
    check_version(item, version)
    changes: dict[str, Any] = {}
    if "title" in given:
        changes["title"] = text_field(fields.title or "", field="title", max_length=200)
    if "description" in given:
        changes["description"] = _description(fields.description)
    if "estimate" in given:
        changes["estimate"] = not_negative(fields.estimate, field="estimate")
    if "service_id" in given:
        service = await _service(session, fields.service_id)
        changes["service_id"] = service.id if service else None
    kind = fields.type if "type" in given and fields.type else item.type
    if kind is not item.type:
        if item.status not in (BacklogItemStatus.NEW, BacklogItemStatus.READY):
            raise Invalid("the type changes only while the item is NEW or READY", field=["type"])
        changes["type"] = kind
    if "needs_design_review" in given and fields.needs_design_review is not None:
        changes["needs_design_review"] = fields.needs_design_review
    elif "type" in changes:
        changes["needs_design_review"] = default_needs_design_review(kind)
    _check_kind(
        kind,
        changes.get("service_id", item.service_id),
        changes.get("needs_design_review", item.needs_design_review),
    )
    await _update_orgs(session, item, kind, fields.affected_org_ids, "affected_org_ids" in given)
    for name, value in changes.items():
        setattr(item, name, value)
    await session.flush()
    return item


async def _update_orgs(
    session: AsyncSession,
    item: BacklogItem,
    kind: BacklogItemType,
    org_ids: list[uuid.UUID] | None,
    given: bool,
) -> None:
    current = await repository.affected_org_ids(session, item.id)
    wanted = (org_ids or []) if given else ([] if kind not in SKIPS_SPRINTS else current)
    await _check_orgs(session, kind, wanted)
    if sorted(wanted) != current:
        await _note_orgs(session, item.id, current, wanted)
        await repository.replace_affected_orgs(session, item.id, wanted)
        item.updated_at = func.now()  # the version (and history) move with the list


def refusal(item: BacklogItem, to: BacklogItemStatus, what: str = "") -> InvalidTransition:
    """INVALID_TRANSITION naming the allowed next states (and the mutation making a move)."""
    following = allowed_next(item.type, item.status)
    hint = mutation_for(item.status, to) if to in following else None
    allowed = ", ".join(following) or "none"
    because = f" except by {hint}" if hint else ""
    subject = what or f"a {item.status} {item.type} item"
    return InvalidTransition(
        f"{subject} cannot become {to}{because}; allowed next: {allowed}", field=["to"]
    )


async def transition_item(
    session: AsyncSession,
    *,
    principal: Principal,
    item_id: uuid.UUID,
    version: int | None,
    to: BacklogItemStatus,
) -> BacklogItem:
    """Move an item through the status table; DONE needs an approved design review."""
    item = await planned_item(session, principal, item_id)
    check_version(item, version)
    if not is_manual(item.type, item.status, to):
        raise refusal(item, to)
    if to is BacklogItemStatus.DONE:
        latest = await repository.latest_review(session, item.id)
        if review_blocks_done(item.needs_design_review, latest):
            raise DesignReviewRequired(
                "the item needs an approved design review before it is DONE"
                f" (latest review: {latest or 'none'})",
                field=["to"],
            )
    item.status = to
    if to is BacklogItemStatus.DECLINED:
        item.sprint_id = item.release_id = None  # declined work leaves the plans
    await session.flush()
    return item


async def get_item(session: AsyncSession, item_id: uuid.UUID) -> BacklogItem | None:
    """An item by id, for other domains (they never read the repository directly)."""
    return await get_by_id(session, BacklogItem, item_id)


async def create_item_from_feedback(
    session: AsyncSession,
    *,
    service_id: uuid.UUID,
    item_type: str,
    title: str,
    description: str,
    feedback_id: uuid.UUID,
) -> BacklogItem:
    """A backlog item on the owner team's backlog, answering a feedback item."""
    return await create_item_for_source(
        session,
        service_id=service_id,
        item_type=item_type,
        title=title,
        description=description,
        source_type="FEEDBACK",
        source_id=feedback_id,
    )


async def create_item_for_source(
    session: AsyncSession,
    *,
    service_id: uuid.UUID,
    item_type: str,
    title: str,
    description: str,
    source_type: str,
    source_id: uuid.UUID,
) -> BacklogItem:
    """An item on the service's owner-team backlog answering a request, incident or feedback.

    The caller has already decided that its principal may do this (triage, promotion).
    """
    service = require_found(await get_by_id(session, Service, service_id), what="service")
    backlog = await repository.backlog_of_team(session, service.owner_team_id)
    kind = BacklogItemType(item_type)
    item = BacklogItem(
        backlog_id=backlog.id,
        service_id=service.id,
        type=kind,
        status=BacklogItemStatus.NEW,
        title=title[:200],
        description=description,
        rank=await repository.next_rank(session, backlog.id),
        needs_design_review=default_needs_design_review(kind),
        source_type=source_type,
        source_id=source_id,
    )
    session.add(item)
    await session.flush()
    return item
