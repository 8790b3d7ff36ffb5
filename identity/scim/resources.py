"""The SCIM User this service publishes, its discovery documents, and the person mapping.

Only the attributes the catalog keeps are published in `/Schemas`, so an IdP (and a
compliance run) never writes an attribute that would silently vanish. Attributes no
model declares (an enterprise extension, `nickName`...) are ignored, not refused:
Entra ID and Okta send them whatever the schema says.
"""

from __future__ import annotations

from typing import Annotated, Any

from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Email,
    ETag,
    Filter,
    Group,
    Meta,
    Name,
    Patch,
    Required,
    Resource,
    ResourceType,
    Schema,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

from identity.models import Person

MAX_RESULTS = 200
CORE_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"


class User(Resource[Any]):
    """The core User schema, reduced to what the catalog stores."""

    __schema__ = URN(CORE_USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    name: Name | None = None
    display_name: str | None = None
    active: bool | None = None
    emails: list[Email] | None = None


POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    # Entra ID removes a value by sending it, and adds through a filter matching nothing.
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

SERVICE_PROVIDER_CONFIG = ServiceProviderConfig(
    documentation_uri=None,
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MAX_RESULTS),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=False),
    etag=ETag(supported=False),
    authentication_schemes=[
        AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken,
            name="Bearer token",
            description="The static token set in CATALOG_SCIM_TOKEN",
            primary=True,
        )
    ],
)

PROVIDER = ScimProvider(models=[User, Group], config=SERVICE_PROVIDER_CONFIG, policy=POLICY)
USER_RESOURCE_TYPE: ResourceType = PROVIDER.resource_types[0]
GROUP_RESOURCE_TYPE: ResourceType = PROVIDER.resource_types[1]
RESOURCE_TYPES: tuple[ResourceType, ...] = (USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE)
SCHEMAS: tuple[Schema, ...] = (
    *PROVIDER.schemas,
    ServiceProviderConfig.to_schema(),
    ResourceType.to_schema(),
    Schema.to_schema(),
)


def stored_attributes(user: User) -> dict[str, Any]:
    """The SCIM attributes kept as given (`person.scim_attributes`).

    `active` is kept only to tell whether the IdP set it: `person.active` is the truth,
    and an unset `active` means active.
    """
    dumped = user.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    kept = ("name", "displayName", "emails", "active")
    return {key: dumped[key] for key in kept if key in dumped}


def primary_email(user: User) -> str | None:
    emails = [email for email in user.emails or [] if email.value]
    primary = next((email for email in emails if email.primary), emails[0] if emails else None)
    return str(primary.value) if primary is not None else None


def derived_display_name(user: User) -> str:
    """What the catalog shows: displayName, else the formatted or joined name, else userName."""
    name = user.name or Name()
    joined = " ".join(part for part in (name.given_name, name.family_name) if part)
    return (user.display_name or name.formatted or joined or user.user_name or "").strip()


def user_resource(person: Person, *, location: str) -> User:
    """The SCIM representation of a SCIM-provisioned person."""
    attributes = dict(person.scim_attributes or {})
    if "active" in attributes or not person.active:
        attributes["active"] = person.active
    return User.model_validate(
        {
            "schemas": [CORE_USER_SCHEMA],
            "id": str(person.id),
            "externalId": person.scim_external_id,
            "userName": person.scim_user_name,
            **attributes,
        },
        scim_policy=POLICY,
    ).model_copy(
        update={
            "meta": Meta(
                resource_type="User",
                created=person.created_at,
                last_modified=person.updated_at,
                location=location,
            )
        }
    )
