"""SCIM 2.0 over HTTP under `/scim/v2`: Users and the discovery endpoints (RFC 7644);
Groups are in group_routes.py.

Thin: authenticate the IdP's static token, parse with scim2-models, call the action,
commit, and answer `application/scim+json` — errors as SCIM Error messages. Without
`CATALOG_SCIM_TOKEN`, or without an issuer for SCIM to speak for, the whole surface
answers 404.
"""

from __future__ import annotations

import hmac
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    ListResponse,
    Meta,
    NotFoundException,
    NotImplementedException,
    PatchOp,
    Resource,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    ServiceProviderConfig,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import DomainError, ErrorCode
from core.settings import Settings
from core.text import refusal_message, refused_character
from identity.models import Person
from identity.scim import actions
from identity.scim.actions import ScimActor
from identity.scim.filters import user_condition
from identity.scim.resources import (
    MAX_RESULTS,
    POLICY,
    RESOURCE_TYPES,
    SCHEMAS,
    SERVICE_PROVIDER_CONFIG,
    User,
    user_resource,
)

MEDIA_TYPE = "application/scim+json"
QUERY_RESPONSE = Context.RESOURCE_QUERY_RESPONSE
PREFIX = "/scim/v2"


class ScimResponse(Response):
    media_type = MEDIA_TYPE

    def __init__(self, content: Any, status_code: int = 200, **kwargs: Any) -> None:
        super().__init__(json.dumps(content).encode(), status_code=status_code, **kwargs)


class ScimProblem(Exception):
    """An answer other than success: becomes a SCIM Error response."""

    def __init__(self, error: Error, headers: dict[str, str] | None = None) -> None:
        super().__init__(error.detail)
        self.error = error
        self.headers = headers or {}


_DOMAIN_STATUS = {
    ErrorCode.NOT_FOUND: (404, None),
    ErrorCode.DUPLICATE: (409, "uniqueness"),
    ErrorCode.CONFLICT: (409, None),
}


def _error_for(error: Exception) -> ScimProblem:
    if isinstance(error, ScimProblem):
        return error
    if isinstance(error, SCIMException):
        return ScimProblem(error.to_error())
    if isinstance(error, ValidationError):
        return ScimProblem(Error.from_validation_errors(error)[0])
    if isinstance(error, RequestValidationError):
        return ScimProblem(Error(status=400, scim_type="invalidValue", detail=str(error)))
    assert isinstance(error, DomainError)
    status, scim_type = _DOMAIN_STATUS.get(error.code, (400, "invalidValue"))
    return ScimProblem(Error(status=status, scim_type=scim_type, detail=error.message))


class ScimRoute(APIRoute):
    """Turns every refusal raised while serving SCIM into a SCIM Error response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def scim_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (
                ScimProblem,
                SCIMException,
                ValidationError,
                RequestValidationError,
                DomainError,
            ) as raised:
                problem = _error_for(raised)
                body = problem.error.model_dump(scim_ctx=Context.DEFAULT)
                status = problem.error.status or 400
                return ScimResponse(body, status_code=status, headers=problem.headers)

        return scim_handler


router = APIRouter(prefix=PREFIX, route_class=ScimRoute, include_in_schema=False)


def _problem(status: int, detail: str, scim_type: str | None = None) -> ScimProblem:
    return ScimProblem(Error(status=status, scim_type=scim_type, detail=detail))


async def scim_actor(request: Request) -> ScimActor:
    """The IdP's SCIM client: the static `CATALOG_SCIM_TOKEN`, compared in constant time."""
    settings: Settings = request.app.state.settings
    issuer = settings.scim_issuer_config
    if not settings.scim_token or issuer is None:
        raise _problem(404, "SCIM provisioning is not enabled")
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    expected = settings.scim_token.encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
        raise ScimProblem(
            Error(status=401, detail="a valid SCIM bearer token is required"),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return ScimActor(issuer.issuer, request_id=request.headers.get("x-request-id"))


async def scim_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


Actor = Annotated[ScimActor, Depends(scim_actor)]
Session = Annotated[AsyncSession, Depends(scim_session)]


def base_url(request: Request) -> str:
    settings: Settings = request.app.state.settings
    base = settings.public_url or str(request.base_url)
    return base.rstrip("/") + PREFIX


def _user_location(request: Request, person: Person) -> str:
    return f"{base_url(request)}/Users/{person.id}"


def _response_parameters(request: Request) -> ResponseParameters[User]:
    query = request.query_params
    return ResponseParameters[User].model_validate(
        {
            "attributes": query.get("attributes"),
            "excludedAttributes": query.get("excludedAttributes"),
        }
    )


def _user_response(request: Request, person: Person, status_code: int = 200) -> ScimResponse:
    location = _user_location(request, person)
    body = user_resource(person, location=location).model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE,
        response_parameters=_response_parameters(request),
    )
    headers = {"Location": location} if status_code == 201 else {}
    return ScimResponse(body, status_code=status_code, headers=headers)


async def payload(request: Request) -> Any:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise _problem(400, "the body is not JSON", "invalidSyntax") from None
    _refuse_control_characters(body, "")
    return body


def _refuse_control_characters(value: Any, path: str) -> None:
    """No SCIM attribute is free text: any control character is a 400 naming the attribute."""
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_text(str(key), f"an attribute name in {path}" if path else "an attribute name")
            where = f"{path}.{key}" if path else str(key)
            _refuse_control_characters(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_control_characters(item, f"{path}[{index}]")
    elif isinstance(value, str):
        _refuse_text(value, path)


def _refuse_text(value: str, where: str) -> None:
    refused = refused_character(value)
    if refused is not None:
        raise _problem(400, refusal_message(where, refused, multiline=False), "invalidValue")


def _person_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFoundException(detail=f"no SCIM user {raw}") from None


def int_parameter(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise _problem(400, f"{name} must be an integer", "invalidValue") from None


@router.get("/Users")
async def list_users(request: Request, actor: Actor, session: Session) -> Response:
    raw_filter = request.query_params.get("filter")
    condition = user_condition(raw_filter) if raw_filter else None
    start_index = max(int_parameter(request, "startIndex", 1), 1)
    count = min(max(int_parameter(request, "count", MAX_RESULTS), 0), MAX_RESULTS)
    page = await actions.list_users(
        session, actor=actor, condition=condition, start_index=start_index, count=count
    )
    resources = [
        user_resource(person, location=_user_location(request, person)) for person in page.people
    ]
    listing = ListResponse[User](
        total_results=page.total,
        start_index=start_index,
        items_per_page=len(resources),
        resources=resources,
    )
    body = listing.model_dump(
        scim_ctx=Context.SEARCH_RESPONSE, response_parameters=_response_parameters(request)
    )
    return ScimResponse(body)


@router.post("/Users")
async def create_user(request: Request, actor: Actor, session: Session) -> Response:
    user = User.model_validate(
        await payload(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=POLICY
    )
    person = await actions.create_user(session, actor=actor, user=user)
    await session.commit()
    return _user_response(request, person, status_code=201)


@router.get("/Users/{person_id}", name="scim_user")
async def get_user(request: Request, person_id: str, actor: Actor, session: Session) -> Response:
    person = await actions.get_user(session, actor=actor, person_id=_person_id(person_id))
    return _user_response(request, person)


@router.put("/Users/{person_id}")
async def replace_user(
    request: Request, person_id: str, actor: Actor, session: Session
) -> Response:
    user = User.model_validate(
        await payload(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=POLICY
    )
    person = await actions.replace_user(
        session, actor=actor, person_id=_person_id(person_id), user=user
    )
    await session.commit()
    return _user_response(request, person)


@router.patch("/Users/{person_id}")
async def patch_user(request: Request, person_id: str, actor: Actor, session: Session) -> Response:
    patch = PatchOp[User].model_validate(
        await payload(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
    )
    person = await actions.patch_user(
        session, actor=actor, person_id=_person_id(person_id), patch=patch
    )
    await session.commit()
    return _user_response(request, person)


@router.delete("/Users/{person_id}")
async def delete_user(request: Request, person_id: str, actor: Actor, session: Session) -> Response:
    await actions.delete_user(session, actor=actor, person_id=_person_id(person_id))
    await session.commit()
    return Response(status_code=204)


def _discovery_meta(request: Request, resource_type: str, path: str) -> Meta:
    return Meta(resource_type=resource_type, location=f"{base_url(request)}/{path}")


def _resource_type(request: Request, resource_type: ResourceType) -> ResourceType:
    meta = _discovery_meta(request, "ResourceType", f"ResourceTypes/{resource_type.id}")
    return resource_type.model_copy(update={"meta": meta})


def _schema(request: Request, schema: Schema) -> Schema:
    meta = _discovery_meta(request, "Schema", f"Schemas/{schema.id}")
    return schema.model_copy(update={"meta": meta})


def _listing(model: type[Resource[Any]], resources: list[Any]) -> dict[str, Any]:
    listing = ListResponse[model](  # type: ignore[valid-type]
        total_results=len(resources),
        start_index=1,
        items_per_page=len(resources),
        resources=resources,
    )
    return listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE)


@router.get("/ServiceProviderConfig")
async def service_provider_config(request: Request, actor: Actor) -> Response:
    meta = _discovery_meta(request, "ServiceProviderConfig", "ServiceProviderConfig")
    config: ServiceProviderConfig = SERVICE_PROVIDER_CONFIG.model_copy(update={"meta": meta})
    return ScimResponse(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@router.get("/ResourceTypes")
async def resource_types(request: Request, actor: Actor) -> Response:
    listed = [_resource_type(request, found) for found in RESOURCE_TYPES]
    return ScimResponse(_listing(ResourceType, listed))


@router.get("/ResourceTypes/{name}")
async def resource_type(request: Request, name: str, actor: Actor) -> Response:
    found = next((known for known in RESOURCE_TYPES if known.id == name), None)
    if found is None:
        raise NotFoundException(detail=f"no resource type {name}")
    return ScimResponse(
        _resource_type(request, found).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    )


@router.get("/Schemas")
async def schemas(request: Request, actor: Actor) -> Response:
    return ScimResponse(_listing(Schema, [_schema(request, schema) for schema in SCHEMAS]))


@router.get("/Schemas/{schema_id}")
async def schema(request: Request, schema_id: str, actor: Actor) -> Response:
    found = next((schema for schema in SCHEMAS if schema.id == schema_id), None)
    if found is None:
        raise NotFoundException(detail=f"no schema {schema_id}")
    return ScimResponse(
        _schema(request, found).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    )


@router.post("/.search")
@router.post("/Users/.search")
async def search(actor: Actor) -> Response:
    raise NotImplementedException(detail="POST .search is not supported; use GET with filter")


_KNOWN_PATHS = re.compile(
    r"((Users|Groups)(/[^/]+)?|ServiceProviderConfig|ResourceTypes(/[^/]+)?|Schemas(/[^/]+)?)"
)
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@router.api_route("/{rest:path}", methods=_METHODS)
async def unknown(rest: str, actor: Actor) -> Response:
    """A SCIM 404 for unknown paths; 405 for a known path and another method."""
    if _KNOWN_PATHS.fullmatch(rest):
        raise _problem(405, "method not allowed on this endpoint")
    raise NotFoundException(detail=f"no SCIM endpoint {rest}")
