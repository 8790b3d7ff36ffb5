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
    # Where the IdP sends the browser back after logging out (registered with the IdP).
    post_logout_path: str = "/graphql"

    @field_validator("post_logout_path")
    @classmethod
    def _local_path(cls, value: str) -> str:
        if not value.startswith("/") or value.startswith("//") or "\\" in value:
            raise ValueError("post_logout_path must be a path of this site, such as /graphql")
        return value


class EntraGroups(BaseModel):
    """Entra ID group overage: fetch a person's groups from Microsoft Graph when the token
    says they were too many (`_claim_names.groups`, or `hasgroups`). The app registration
    needs the application permission GroupMember.Read.All (client credentials)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: Annotated[str, Field(min_length=1)]
    client_secret: Annotated[str, Field(min_length=1)]
    graph_url: str = "https://graph.microsoft.com"
    login_url: str = "https://login.microsoftonline.com"
    security_enabled_only: bool = True
    timeout_s: Annotated[float, Field(gt=0, le=30)] = 3.0
    cache_ttl_s: Annotated[float, Field(ge=0, le=86400)] = 300.0
    ca_bundle: str | None = None  # CA file for Graph and login HTTPS; unset: system trust

    @field_validator("graph_url", "login_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("Microsoft Graph and login URLs must be https:// URLs")
        return value.rstrip("/")


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
    # Where this API fetches the discovery document (and so the keys and the token endpoint)
    # when it cannot reach the public issuer URL, e.g. http://keycloak:8080/realms/catalog/...
    discovery_url: str | None = None
    entra_groups: EntraGroups | None = None

    @field_validator("issuer")
    @classmethod
    def _issuer_is_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("issuer must be an https:// URL")
        return value

    @field_validator("discovery_url")
    @classmethod
    def _discovery_is_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("discovery_url must be an https:// URL")
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
        return self.issuer.startswith("http://") or (self.discovery_url or "").startswith("http://")

    @property
    def discovery_location(self) -> str:
        """Where the discovery document is fetched from (server to server)."""
        return self.discovery_url or self.issuer.rstrip("/") + "/.well-known/openid-configuration"


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
