"""The IT4IT value streams a piece of work belongs to (requests, incidents, backlog items)."""

from __future__ import annotations

from enum import StrEnum


class ValueStream(StrEnum):
    REQUEST_TO_FULFIL = "REQUEST_TO_FULFIL"
    DETECT_TO_CORRECT = "DETECT_TO_CORRECT"
