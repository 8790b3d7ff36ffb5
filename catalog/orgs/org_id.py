"""Salesforce org ids: 15 case-sensitive characters, or 18 with a checksum suffix."""

from __future__ import annotations

import re

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID = re.compile(r"^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$")
ORG_ID_PREFIX = "00D"


class InvalidOrgId(ValueError):
    pass


def checksum(fifteen: str) -> str:
    """The three characters Salesforce appends to make an id case-insensitive."""
    suffix = ""
    for start in range(0, 15, 5):
        chunk = fifteen[start : start + 5]
        bits = sum(1 << index for index, char in enumerate(chunk) if char.isupper())
        suffix += _SUFFIX_ALPHABET[bits]
    return suffix


def normalise_org_id(value: str) -> str:
    """Return the 18-character form of a 15- or 18-character org id, or refuse it."""
    value = value.strip()
    if not _ID.match(value):
        raise InvalidOrgId("an org id has 15 or 18 letters and digits")
    if not value.startswith(ORG_ID_PREFIX):
        raise InvalidOrgId(f"an org id starts with {ORG_ID_PREFIX}")
    expected = checksum(value[:15])
    if len(value) == 18 and value[15:].upper() != expected:
        raise InvalidOrgId(f"the checksum of {value} should be {expected}")
    return value[:15] + expected
