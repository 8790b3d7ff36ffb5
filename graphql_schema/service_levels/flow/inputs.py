"""Inputs of `valueStreamMetrics`."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.input(description="A window [from, to) of at most two years, with UTC offsets.")
class FlowWindowInput:
    from_: datetime = strawberry.field(name="from")
    to: datetime | None = strawberry.field(
        default=None, description="Default now; a later moment is cut to now."
    )
