"""What a metric is asked over: a frame is a set of services, a time window and a scope.

Every answer the catalog gives about service levels is a metric over frames: an objective's
current window, the window before it (trend), the buckets of a chart (series), or the pooled
services of a team, business unit or the organisation (roll-ups). The SQL of each metric
takes all the frames of one request at once, so the statements do not grow with them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple


@dataclass(frozen=True)
class Scope:
    """Narrows the records counted: incidents of a severity, requests of a priority or kind."""

    severity: str | None = None
    priority: str | None = None
    request_kind: str | None = None


NO_SCOPE = Scope()  # every record counted


# Frames and values are tuples, not frozen dataclasses: a roll-up of the organisation makes
# thousands of each per request, and a frozen dataclass takes several times longer to make.
class Frame(NamedTuple):
    key: int
    service_ids: tuple[uuid.UUID, ...]
    start: datetime
    end: datetime
    scope: Scope = NO_SCOPE


class MetricValue(NamedTuple):
    """A metric's value over a frame, and what it pools from: `samples` records (incidents,
    clocks, ratings...) adding up to `total`, so frames can be pooled exactly (Σ total ÷ Σ
    samples for means). `share` is the share of 4-5 ratings for satisfaction.

    For AVAILABILITY and MTTR `value` is the team's figure, vendor-attributed time left out,
    when `vendor_split` (the Trust data covers the frame); `raw_value` counts everything.
    Without the split, `value` is the raw figure. COST, EFFICIENCY_GAIN and CUSTOM always
    split (measurements flagged vendor-attributed). `vendor_split` is None for the others."""

    value: float | None
    samples: int = 0
    total: float = 0.0
    share: float | None = None
    raw_value: float | None = None
    raw_total: float = 0.0
    vendor_split: bool | None = None
