"""Who is calling: until federation is configured, the development identity on loopback."""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection

from core.settings import Settings
from identity.principal import Principal, Role, development_principal


def _is_loopback(connection: HTTPConnection) -> bool:
    host = connection.client.host if connection.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def dev_roles(settings: Settings) -> frozenset[Role]:
    names = [name.strip().upper() for name in settings.dev_roles.split(",") if name.strip()]
    return frozenset(Role(name) for name in names)


async def principal_for(connection: HTTPConnection, settings: Settings) -> Principal | None:
    """The development identity serves dev callers on loopback only; others are anonymous."""
    if settings.is_dev and _is_loopback(connection):
        return development_principal(dev_roles(settings))
    return None
