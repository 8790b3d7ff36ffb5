"""An org's Salesforce instance (NA135, EU45, CS42, USA2S...): the key the Trust status API
names incidents and maintenances by. Given when the org is registered, or read from an
instance URL that names it (https://na135.salesforce.com); a My Domain URL does not."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

INSTANCE_KEY = re.compile(r"^[A-Z]{2,5}[0-9]{1,4}[A-Z]?$")
_HOSTS = (".salesforce.com", ".force.com")


class InvalidInstanceKey(ValueError):
    pass


def normalise_instance_key(value: str) -> str:
    key = value.strip().upper()
    if not INSTANCE_KEY.match(key):
        raise InvalidInstanceKey(f"{value!r} is not a Salesforce instance such as NA135 or EU45")
    return key


def instance_key_of(url: str | None) -> str | None:
    """The instance an instance URL names, or None (a My Domain URL names none)."""
    host = (urlsplit(url).hostname or "") if url else ""
    if not host.endswith(_HOSTS):
        return None
    first = host.split(".")[0].upper()
    return first if INSTANCE_KEY.match(first) else None
