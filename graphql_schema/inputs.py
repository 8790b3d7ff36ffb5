"""Inputs every domain shares: archive and delete by id, the order direction."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.input(description="Archive a record: hidden from lists unless includeArchived.")
class ArchiveInput:
    id: strawberry.ID
    version: int


@strawberry.input(description="Delete a record nothing refers to; its history stays.")
class DeleteInput:
    id: strawberry.ID
    version: int


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"
