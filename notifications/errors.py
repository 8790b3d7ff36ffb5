"""Refusals of notification channels and deliveries; each maps to one ErrorCode."""

from __future__ import annotations

from core.errors import DomainError, ErrorCode


class ChannelInactive(DomainError):
    """The channel is off (by its owners, or by the catalog after a receiver's 410):
    nothing is sent to it until it is active again."""

    code = ErrorCode.INVALID


class NotRedeliverable(DomainError):
    """Only a delivery the dispatcher has finished with (DELIVERED, FAILED, DEAD) is sent
    again; a PENDING one is on its way already."""

    code = ErrorCode.INVALID_TRANSITION
