"""Small field checks shared by the domain actions; each raises a domain error."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from core.errors import Invalid, Required, TooLong


def field_path(label: str) -> list[str]:
    """`backupPolicy.rpoSeconds` -> `["backupPolicy", "rpoSeconds"]`: a `UserError.field` path."""
    return label.split(".")


def text_field(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    """Strip, require (when asked) and bound a text value."""
    cleaned = value.strip()
    if required and not cleaned:
        raise Required(f"{field} must not be empty", field=field_path(field))
    if len(cleaned) > max_length:
        raise TooLong(f"{field} is at most {max_length} characters", field=field_path(field))
    return cleaned


def optional_text(value: str | None, *, field: str, max_length: int) -> str | None:
    if value is None:
        return None
    cleaned = text_field(value, field=field, max_length=max_length, required=False)
    return cleaned or None


SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def slug_field(value: str, *, field: str = "slug", max_length: int = 100) -> str:
    cleaned = text_field(value, field=field, max_length=max_length)
    if not SLUG.match(cleaned):
        raise Invalid(
            f"{field} must be lower-case letters and digits separated by single hyphens",
            field=field_path(field),
        )
    return cleaned


def url_field(value: str | None, *, field: str, max_length: int = 2000) -> str | None:
    cleaned = optional_text(value, field=field, max_length=max_length)
    if cleaned is None:
        return None
    parsed = urlparse(cleaned)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise Invalid(f"{field} must be an http(s) URL", field=field_path(field))
    return cleaned


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_field(value: str | None, *, field: str) -> str | None:
    cleaned = optional_text(value, field=field, max_length=320)
    if cleaned is not None and not EMAIL.match(cleaned):
        raise Invalid(f"{field} is not an email address", field=field_path(field))
    return cleaned


def tag_list(values: list[str], *, field: str, max_length: int = 100) -> list[str]:
    """Trim, drop blanks and duplicates, keep the caller's order."""
    seen: dict[str, None] = {}
    for value in values:
        cleaned = text_field(value, field=field, max_length=max_length, required=False)
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def positive(value: int | None, *, field: str) -> int | None:
    if value is not None and value <= 0:
        raise Invalid(f"{field} must be positive", field=field_path(field))
    return value


def not_negative(value: int | None, *, field: str) -> int | None:
    """Durations such as a backup RPO, where zero is a real answer."""
    if value is not None and value < 0:
        raise Invalid(f"{field} must not be negative", field=field_path(field))
    return value
