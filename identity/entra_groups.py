"""Entra ID group overage: a person in too many groups gets a token without `groups`.

Entra ID then puts `_claim_names: {"groups": "src1"}` (JWT) or `hasgroups: true` (implicit
flow) in the token instead. The `_claim_sources` endpoint it names is the retired Azure AD
Graph, and the token presented here is this API's, not a Graph token; so, as Microsoft
documents for an API, this service asks Microsoft Graph itself with its own app token
(client credentials, application permission GroupMember.Read.All):
`POST {graph}/v1.0/users/{oid}/getMemberObjects`. The answer is cached per person for
`cache_ttl_s`; every call is bounded by `timeout_s`. A failure logs a warning and the person
signs in with no group-derived roles — never an error.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Callable
from typing import Any

import httpx

from core.oidc_settings import EntraGroups, IssuerConfig

logger = logging.getLogger(__name__)
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
FAILURE_TTL_S = 30.0
MAX_PAGES = 20


class GraphUnavailable(Exception):
    """Microsoft Graph did not tell us the groups (the message says why)."""


def has_overage(issuer: IssuerConfig, claims: dict[str, Any]) -> bool:
    """The token says its groups were left out (Entra ID's overage indicator)."""
    names = claims.get("_claim_names")
    named = isinstance(names, dict) and issuer.groups_claim in names
    return (named or claims.get("hasgroups") is True) and issuer.groups_claim not in claims


class GraphGroups:
    """Fetches overage groups from Microsoft Graph, with per-person and app-token caches."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._groups: dict[tuple[str, str], tuple[float, list[str]]] = {}
        self._tokens: dict[tuple[str, str], tuple[float, str]] = {}
        self._clients: dict[str | None, httpx.AsyncClient] = {}

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def with_groups(self, issuer: IssuerConfig, claims: dict[str, Any]) -> dict[str, Any]:
        """The claims, with the groups claim filled in from Graph when the token overflowed."""
        if issuer.entra_groups is None or not has_overage(issuer, claims):
            return claims
        return {**claims, issuer.groups_claim: await self.groups(issuer, claims)}

    async def groups(self, issuer: IssuerConfig, claims: dict[str, Any]) -> list[str]:
        """The person's group ids; [] (and a warning) when Graph cannot say."""
        config = issuer.entra_groups
        assert config is not None
        person, tenant = claims.get("oid"), claims.get("tid")
        key = (issuer.issuer, str(person))
        cached = self._groups.get(key)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        try:
            if not isinstance(person, str) or not isinstance(tenant, str):
                raise GraphUnavailable("the token has no oid or tid claim")
            async with asyncio.timeout(config.timeout_s):
                found = await self._member_objects(config, tenant, person)
            ttl = config.cache_ttl_s
        except (GraphUnavailable, httpx.HTTPError, TimeoutError, ValueError) as error:
            logger.warning(
                "group overage: cannot read the groups of %s from Microsoft Graph (%s: %s); "
                "signed in without group roles",
                person,
                type(error).__name__,
                error,
            )
            found, ttl = [], min(config.cache_ttl_s, FAILURE_TTL_S)
        self._groups[key] = (self._clock() + ttl, found)
        return found

    def _client(self, config: EntraGroups) -> httpx.AsyncClient:
        if config.ca_bundle not in self._clients:
            verify: ssl.SSLContext | bool = (
                ssl.create_default_context(cafile=config.ca_bundle) if config.ca_bundle else True
            )
            self._clients[config.ca_bundle] = httpx.AsyncClient(
                verify=verify, trust_env=False, follow_redirects=False, timeout=config.timeout_s
            )
        return self._clients[config.ca_bundle]

    async def _app_token(self, config: EntraGroups, tenant: str) -> str:
        key = (config.login_url + "/" + tenant, config.client_id)
        cached = self._tokens.get(key)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        response = await self._client(config).post(
            f"{config.login_url}/{tenant}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": config.client_id,
                "client_secret": config.client_secret,
                "scope": GRAPH_SCOPE,
            },
        )
        if response.status_code != 200:
            raise GraphUnavailable(f"the token endpoint answered {response.status_code}")
        body = response.json()
        token = body.get("access_token")
        if not isinstance(token, str):
            raise GraphUnavailable("the token endpoint sent no access_token")
        lifetime = float(body.get("expires_in", 300))
        self._tokens[key] = (self._clock() + max(lifetime - 60, 0), token)
        return token

    async def _member_objects(self, config: EntraGroups, tenant: str, person: str) -> list[str]:
        token = await self._app_token(config, tenant)
        client = self._client(config)
        url: str | None = f"{config.graph_url}/v1.0/users/{person}/getMemberObjects"
        payload = {"securityEnabledOnly": config.security_enabled_only}
        found: list[str] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return found
            response = await client.post(
                url, json=payload, headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code != 200:
                raise GraphUnavailable(f"Microsoft Graph answered {response.status_code}")
            body = response.json()
            values = body.get("value")
            if not isinstance(values, list):
                raise GraphUnavailable("Microsoft Graph sent no value list")
            found.extend(str(value) for value in values)
            url = body.get("@odata.nextLink")
            if url is not None and not str(url).startswith(config.graph_url + "/"):
                raise GraphUnavailable("Microsoft Graph's next page is on another host")
        raise GraphUnavailable(f"more than {MAX_PAGES} pages of groups")
