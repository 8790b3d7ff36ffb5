"""The shape of `CATALOG_OIDC_ISSUERS`: one entry per trusted identity provider."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator


class LoginClient(BaseModel):
    """The OAuth client used for browser sign-in (authorization code + PKCE)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str
    client_secret: str | None = None
    scopes: str = "openid profile email"


class IssuerConfig(BaseModel):
    """A trusted issuer: exact `iss`, required `aud`, and how its groups map to roles."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: Annotated[str, Field(min_length=1)]
    audience: Annotated[str, Field(min_length=1)]
    groups_claim: str = "groups"
    role_map: dict[str, str] = Field(default_factory=dict)
    client_ids: tuple[str, ...] | None = None
    login: LoginClient | None = None
    machine_clients: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("issuer")
    @classmethod
    def _issuer_is_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("issuer must be an https:// URL")
        return value

    @field_validator("role_map")
    @classmethod
    def _roles_known(cls, value: dict[str, str]) -> dict[str, str]:
        for role in value.values():
            _check_role(role)
        return value

    @field_validator("machine_clients")
    @classmethod
    def _client_roles_known(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for roles in value.values():
            for role in roles:
                _check_role(role)
        return value

    @property
    def uses_http(self) -> bool:
        return self.issuer.startswith("http://")


ROLE_NAMES = (
    "VIEWER",
    "CONTRIBUTOR",
    "TEAM_MEMBER",
    "PRODUCT_OWNER",
    "DESIGN_AUTHORITY",
    "SUPPORT_AGENT",
    "AUDITOR",
    "ADMIN",
)


def _check_role(role: str) -> None:
    if role not in ROLE_NAMES:
        raise ValueError(f"unknown role {role!r}; known roles: {', '.join(ROLE_NAMES)}")
