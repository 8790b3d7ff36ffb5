"""Where a channel may point: URLs safe to call from inside the network, and email addresses.

A URL must be `https` in prod (`http` too in dev) and, unless `CATALOG_WEBHOOK_ALLOW_PRIVATE`,
must not reach a private, loopback, link-local, multicast or otherwise non-public address,
whether written as an address or as a name resolving to one (server-side request forgery).
The check runs when a channel is saved and again before each send, since a name may resolve
elsewhere later.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from urllib.parse import urlsplit

RESOLVE_TIMEOUT_S = 5.0
MAX_RECIPIENTS = 20


class TargetRefused(ValueError):
    """The target may not be used; the message says why, for the person who entered it."""


@dataclass(frozen=True)
class UrlRules:
    require_https: bool
    allow_private: bool


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


def check_url(url: str, rules: UrlRules) -> str:
    """The URL, stripped, if its form is allowed (without resolving its host)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"is not a valid URL ({error})") from None
    allowed = ("https",) if rules.require_https else ("https", "http")
    if parts.scheme not in allowed:
        raise TargetRefused(
            "must be an https:// URL" if rules.require_https else "must be an http(s):// URL"
        )
    if not parts.hostname:
        raise TargetRefused("must name a host")
    if parts.username or parts.password:
        raise TargetRefused("must not carry a user name or password")
    if port == 0:
        raise TargetRefused("must not use port 0")
    literal = _literal_address(parts.hostname)
    if literal is not None and not rules.allow_private and not is_public(literal):
        raise TargetRefused(f"must not point at a private or local address ({literal})")
    if not rules.allow_private and parts.hostname.lower().rstrip(".") in {"localhost"}:
        raise TargetRefused("must not point at a private or local address (localhost)")
    return url


async def check_resolved(url: str, rules: UrlRules) -> None:
    """Refuse a URL whose host resolves to an address that is not public (unless allowed).

    A name that does not resolve passes here: sending to it fails and is retried.
    """
    if rules.allow_private:
        return
    host = urlsplit(url).hostname or ""
    for address in await _resolve(host):
        if not is_public(address):
            raise TargetRefused(f"{host} resolves to a private or local address ({address})")


def check_emails(text: str) -> list[str]:
    """The comma-separated addresses of an EMAIL channel, each a plain `local@domain`."""
    addresses = [part.strip() for part in text.split(",") if part.strip()]
    if not addresses:
        raise TargetRefused("must name at least one email address")
    if len(addresses) > MAX_RECIPIENTS:
        raise TargetRefused(f"names at most {MAX_RECIPIENTS} email addresses")
    for address in addresses:
        if not is_email(address):
            raise TargetRefused(f"{address!r} is not an email address")
    return addresses


def is_email(text: str) -> bool:
    try:
        parsed = Address(addr_spec=text)
    except (HeaderParseError, ValueError, IndexError):
        return False
    return bool(parsed.username) and "." in parsed.domain and parsed.addr_spec == text


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def _resolve(host: str) -> Iterable[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    literal = _literal_address(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_S
        )
    except (OSError, TimeoutError):
        return []
    return {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
