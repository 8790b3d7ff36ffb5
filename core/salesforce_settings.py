"""The shape of `CATALOG_SALESFORCE_ORGS`: one entry per org, keyed by credentials reference."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

FIELD_NAME = r"^[A-Za-z][A-Za-z0-9_]*$"


class SalesforceOrgConfig(BaseModel):
    """How to reach one org: the JWT bearer flow, or a ready session (instance URL + id)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    org_id: Annotated[str, Field(min_length=15, max_length=18)]
    name: str
    login_url: str | None = None
    client_id: str | None = None
    username: str | None = None
    private_key_path: Path | None = None
    instance_url: str | None = None
    session_id: str | None = Field(default=None, repr=False)
    case_service_field: Annotated[str, Field(pattern=FIELD_NAME)] = "Service__c"
    idea_service_field: Annotated[str, Field(pattern=FIELD_NAME)] = "Service__c"
    case_external_id_field: Annotated[str, Field(pattern=FIELD_NAME)] = "Catalog_Request_Id__c"
    support: bool = False

    @model_validator(mode="after")
    def _one_way_in(self) -> SalesforceOrgConfig:
        jwt = (self.login_url, self.client_id, self.username, self.private_key_path)
        if all(value is not None for value in jwt):
            _check_url(self.login_url)
            return self
        if self.instance_url is not None and self.session_id is not None:
            _check_url(self.instance_url)
            return self
        raise ValueError(
            "give login_url, client_id, username and private_key_path (JWT bearer flow),"
            " or instance_url and session_id (a ready session)"
        )

    @property
    def uses_jwt(self) -> bool:
        return self.private_key_path is not None


def _check_url(url: str | None) -> None:
    if not (url or "").startswith("https://"):
        raise ValueError(f"{url!r} is not an https:// URL")


def check_orgs(orgs: dict[str, SalesforceOrgConfig]) -> dict[str, SalesforceOrgConfig]:
    """At most one org receives escalation Cases."""
    support = [ref for ref, org in orgs.items() if org.support]
    if len(support) > 1:
        raise ValueError(f"only one org may be the support org; {', '.join(support)} are")
    return orgs
