"""A response's `data` kept as the JSON text PostgreSQL built: written out, never parsed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RawData:
    text: str


def encode_response(response: Mapping[str, Any]) -> str | None:
    """The response body with its `data` written as is, or None when `data` is not raw."""
    data = response.get("data")
    if not isinstance(data, RawData):
        return None
    parts = [
        json.dumps(key) + ":" + (data.text if key == "data" else _dumps(value))
        for key, value in response.items()
    ]
    return "{" + ",".join(parts) + "}"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


__all__ = ["RawData", "encode_response"]
