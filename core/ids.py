"""Opaque global ids: base64url of `Type:uuid`."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass


class MalformedGlobalId(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class GlobalId:
    type_name: str
    id: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.type_name}:{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> GlobalId:
        try:
            padded = value + "=" * (-len(value) % 4)
            raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
            type_name, _, key = raw.partition(":")
            if not type_name or not key:
                raise ValueError
            return cls(type_name, uuid.UUID(key))
        except (ValueError, UnicodeError, binascii.Error):
            raise MalformedGlobalId(f"{value!r} is not a valid global id") from None


def encode_global_id(type_name: str, key: uuid.UUID) -> str:
    return GlobalId(type_name, key).encode()
