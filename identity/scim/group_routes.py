"""SCIM Groups over HTTP under `/scim/v2/Groups` (RFC 7644), mapped to team memberships.

Included before the Users router, whose catch-all answers unknown paths.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from scim2_models import (
    Context,
    Group,
    ListResponse,
    Meta,
    NotFoundException,
    NotImplementedException,
    PatchOp,
    ResponseParameters,
)

from identity.audit import RequestFacts
from identity.scim import groups
from identity.scim.group_filters import group_condition
from identity.scim.resources import MAX_RESULTS, POLICY
from identity.scim.routes import (
    PREFIX,
    Actor,
    ScimResponse,
    ScimRoute,
    Session,
    base_url,
    int_parameter,
    payload,
)

router = APIRouter(prefix=PREFIX, route_class=ScimRoute, include_in_schema=False)


def _group_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFoundException(detail=f"no SCIM group {raw}") from None


def _facts(request: Request) -> RequestFacts:
    facts: RequestFacts = getattr(request.state, "facts", RequestFacts())
    return facts


def _resource(request: Request, view: groups.GroupView) -> Group:
    base = base_url(request)
    resource = groups.group_resource(view, users_url=f"{base}/Users")
    resource.meta = Meta(
        resource_type="Group",
        created=view.group.created_at,
        last_modified=view.group.updated_at,
        location=f"{base}/Groups/{view.group.id}",
    )
    return resource


def _parameters(request: Request) -> ResponseParameters[Group]:
    query = request.query_params
    return ResponseParameters[Group].model_validate(
        {
            "attributes": query.get("attributes"),
            "excludedAttributes": query.get("excludedAttributes"),
        }
    )


def _response(request: Request, view: groups.GroupView, status_code: int = 200) -> ScimResponse:
    resource = _resource(request, view)
    body = resource.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=_parameters(request)
    )
    assert resource.meta is not None
    headers = {"Location": str(resource.meta.location)} if status_code == 201 else {}
    return ScimResponse(body, status_code=status_code, headers=headers)


@router.get("/Groups")
async def list_groups(request: Request, actor: Actor, session: Session) -> Response:
    raw_filter = request.query_params.get("filter")
    condition = group_condition(raw_filter) if raw_filter else None
    start_index = max(int_parameter(request, "startIndex", 1), 1)
    count = min(max(int_parameter(request, "count", MAX_RESULTS), 0), MAX_RESULTS)
    page = await groups.list_groups(
        session, actor=actor, condition=condition, start_index=start_index, count=count
    )
    resources = [_resource(request, view) for view in page.groups]
    listing = ListResponse[Group](
        total_results=page.total,
        start_index=start_index,
        items_per_page=len(resources),
        resources=resources,
    )
    body = listing.model_dump(
        scim_ctx=Context.SEARCH_RESPONSE, response_parameters=_parameters(request)
    )
    return ScimResponse(body)


@router.post("/Groups")
async def create_group(request: Request, actor: Actor, session: Session) -> Response:
    group = Group.model_validate(
        await payload(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=POLICY
    )
    view = await groups.create_group(session, actor=actor, group=group, facts=_facts(request))
    await session.commit()
    return _response(request, view, status_code=201)


@router.post("/Groups/.search")
async def search(actor: Actor) -> Response:
    raise NotImplementedException(detail="POST .search is not supported; use GET with filter")


@router.get("/Groups/{group_id}")
async def get_group(request: Request, group_id: str, actor: Actor, session: Session) -> Response:
    view = await groups.get_group(session, actor=actor, group_id=_group_id(group_id))
    return _response(request, view)


@router.put("/Groups/{group_id}")
async def replace_group(
    request: Request, group_id: str, actor: Actor, session: Session
) -> Response:
    group = Group.model_validate(
        await payload(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=POLICY
    )
    view = await groups.replace_group(
        session, actor=actor, group_id=_group_id(group_id), group=group, facts=_facts(request)
    )
    await session.commit()
    return _response(request, view)


@router.patch("/Groups/{group_id}")
async def patch_group(request: Request, group_id: str, actor: Actor, session: Session) -> Response:
    patch = PatchOp[Group].model_validate(
        await payload(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
    )
    view = await groups.patch_group(
        session, actor=actor, group_id=_group_id(group_id), patch=patch, facts=_facts(request)
    )
    await session.commit()
    return _response(request, view)


@router.delete("/Groups/{group_id}")
async def delete_group(request: Request, group_id: str, actor: Actor, session: Session) -> Response:
    await groups.delete_group(
        session, actor=actor, group_id=_group_id(group_id), facts=_facts(request)
    )
    await session.commit()
    return Response(status_code=204)
