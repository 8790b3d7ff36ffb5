"""Helpers for input objects: which fields the caller actually sent."""

from __future__ import annotations

import dataclasses
from typing import Any

from strawberry import UNSET

from core.errors import Required


def provided(data: Any, *, exclude: tuple[str, ...] = ("id", "version")) -> dict[str, Any]:
    """The fields of an input object that were given (null included), by Python name."""
    return {
        field.name: getattr(data, field.name)
        for field in dataclasses.fields(data)
        if field.name not in exclude and getattr(data, field.name) is not UNSET
    }


def refuse_nulls(fields: dict[str, Any], *names: str) -> None:
    """Refuse an explicit null for a field that cannot be empty."""
    for name in names:
        if name in fields and fields[name] is None:
            camel = "".join(
                part.capitalize() if index else part for index, part in enumerate(name.split("_"))
            )
            raise Required(f"{camel} cannot be null", field=[camel])
