"""An issuer's discovery document, fetched from its internal URL when one is configured.

Browsers use the public issuer URL (the authorization and end-session endpoints are kept as
the IdP publishes them); this API's own calls (keys, token, userinfo) go to the host of
`discovery_url` when the document names the public host (Keycloak with `KC_HOSTNAME` set).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from core.oidc_settings import IssuerConfig

# Endpoints this API calls itself; the others are for the browser and stay public.
SERVER_ENDPOINTS = (
    "token_endpoint",
    "jwks_uri",
    "userinfo_endpoint",
    "introspection_endpoint",
    "revocation_endpoint",
)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def server_url(issuer: IssuerConfig, url: str) -> str:
    """The URL this API should call: the public issuer host swapped for the discovery host."""
    if issuer.discovery_url is None or _origin(url) != _origin(issuer.issuer):
        return url
    scheme, netloc = _origin(issuer.discovery_url)
    return urlunsplit((scheme, netloc, *urlsplit(url)[2:]))


def for_this_server(issuer: IssuerConfig, document: dict[str, Any]) -> dict[str, Any]:
    """The discovery document with the endpoints this API calls rewritten to reach the IdP."""
    rewritten = dict(document)
    for name in SERVER_ENDPOINTS:
        value = rewritten.get(name)
        if isinstance(value, str):
            rewritten[name] = server_url(issuer, value)
    return rewritten
