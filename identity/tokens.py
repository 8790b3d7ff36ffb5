"""Bearer token validation: OIDC discovery, cached JWKS, asymmetric signatures, strict claims."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from core.oidc_settings import IssuerConfig
from identity.discovery import server_url
from identity.entra_groups import GraphGroups

# Only asymmetric algorithms: a token can never choose HS256 or "none".
ALGORITHMS = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip
KEYS_LIFESPAN_S = 300.0
REFRESH_COOLDOWN_S = 30.0
CLOCK_LEEWAY_S = 30
FETCH_TIMEOUT_S = 5.0


class InvalidToken(Exception):
    """The bearer token cannot be trusted; the message says why (safe to log, not to show)."""


@dataclass(frozen=True)
class VerifiedToken:
    issuer: IssuerConfig
    claims: dict[str, Any]


@dataclass
class _IssuerKeys:
    key_set: KeySet | None = None
    fetched_at: float = 0.0
    last_refresh: float = -1e9
    unknown_kids: dict[str, float] = field(default_factory=dict)


class JwksCache:
    """Keys per issuer: cached for KEYS_LIFESPAN_S, refreshed once on an unknown `kid`
    (at most every REFRESH_COOLDOWN_S), unknown kids remembered for the cooldown."""

    def __init__(self, http: httpx.AsyncClient, clock: Callable[[], float] = time.monotonic):
        self._http = http
        self._clock = clock
        self._issuers: dict[str, _IssuerKeys] = {}
        self._jwks_uris: dict[str, str] = {}

    async def key_set(self, config: IssuerConfig, kid: str | None) -> KeySet:
        issuer = config.issuer
        state = self._issuers.setdefault(issuer, _IssuerKeys())
        now = self._clock()
        if state.key_set is None or now - state.fetched_at > KEYS_LIFESPAN_S:
            await self._refresh(config, state)
        elif kid is not None and not _has_kid(state.key_set, kid):
            remembered = state.unknown_kids.get(kid)
            recently_unknown = remembered is not None and now - remembered < REFRESH_COOLDOWN_S
            if not recently_unknown and now - state.last_refresh >= REFRESH_COOLDOWN_S:
                state.last_refresh = now
                await self._refresh(config, state)
        assert state.key_set is not None
        if kid is not None and not _has_kid(state.key_set, kid):
            state.unknown_kids[kid] = now
            raise InvalidToken(f"unknown signing key {kid!r}")
        return state.key_set

    async def _refresh(self, config: IssuerConfig, state: _IssuerKeys) -> None:
        issuer = config.issuer
        try:
            uri = await self._jwks_uri(config)
            response = await self._http.get(uri, timeout=FETCH_TIMEOUT_S)
            response.raise_for_status()
            key_set = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError) as error:
            if state.key_set is None:
                raise InvalidToken(f"cannot fetch the keys of {issuer}: {error}") from None
            return  # keep serving the keys we have
        state.key_set = key_set
        state.fetched_at = self._clock()
        state.unknown_kids.clear()

    async def _jwks_uri(self, config: IssuerConfig) -> str:
        issuer = config.issuer
        if issuer not in self._jwks_uris:
            response = await self._http.get(config.discovery_location, timeout=FETCH_TIMEOUT_S)
            response.raise_for_status()
            document = response.json()
            if document.get("issuer") != issuer:
                raise ValueError("the discovery document names another issuer")
            self._jwks_uris[issuer] = server_url(config, str(document["jwks_uri"]))
        return self._jwks_uris[issuer]


def _has_kid(key_set: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in key_set.keys)


def _unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        compact = jws.extract_compact(token.encode("ascii"))
        payload = json.loads(compact.payload)
    except (JoseError, ValueError, UnicodeError) as error:
        raise InvalidToken(f"malformed token: {error}") from None
    if not isinstance(payload, dict):
        raise InvalidToken("malformed token: the payload is not an object")
    return dict(compact.headers()), payload


class TokenVerifier:
    """Checks a bearer token against the configured issuers."""

    def __init__(
        self,
        issuers: tuple[IssuerConfig, ...],
        keys: JwksCache,
        *,
        allow_http: bool,
        now: Callable[[], int] | None = None,
        groups: GraphGroups | None = None,
    ) -> None:
        self._issuers = {issuer.issuer: issuer for issuer in issuers}
        self._groups = groups
        self._keys = keys
        self._allow_http = allow_http
        self._now = now

    async def verify(self, token: str) -> VerifiedToken:
        header, unverified = _unverified_parts(token)
        issuer = self._issuers.get(str(unverified.get("iss")))
        if issuer is None:
            raise InvalidToken("untrusted issuer")
        if issuer.uses_http and not self._allow_http:
            raise InvalidToken("http issuers are refused outside dev")
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise InvalidToken("malformed kid")
        key_set = await self._keys.key_set(issuer, kid)
        try:
            decoded = jwt.decode(token, key_set, algorithms=list(ALGORITHMS))
            self._registry(issuer).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise InvalidToken(f"rejected: {error}") from None
        claims = dict(decoded.claims)
        self._check_client(issuer, claims)
        if self._groups is not None:  # Entra ID left the groups out: ask Graph
            claims = await self._groups.with_groups(issuer, claims)
        return VerifiedToken(issuer=issuer, claims=claims)

    def _registry(self, issuer: IssuerConfig) -> JWTClaimsRegistry:
        return JWTClaimsRegistry(
            now=self._now,
            leeway=CLOCK_LEEWAY_S,
            iss={"essential": True, "value": issuer.issuer},
            aud={"essential": True, "value": issuer.audience},
            exp={"essential": True},
            sub={"essential": True},
        )

    @staticmethod
    def _check_client(issuer: IssuerConfig, claims: dict[str, Any]) -> None:
        if issuer.client_ids is None:
            return
        client = claims.get("azp") or claims.get("client_id")
        if client not in issuer.client_ids:
            raise InvalidToken(f"client {client!r} is not allowed for this API")
