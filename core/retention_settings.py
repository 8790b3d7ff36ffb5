"""The retention settings' bounds: `CATALOG_RETENTION_<KIND>_DAYS`, one per kind `purge` keeps.

Most kinds take `0` for "keep forever", else at least their minimum. The minimums keep
what the product reports true:
- rows KPIs, objectives and their trends are computed from (closed requests and incidents,
  measurements, SLA events) are kept at least two of the longest SLA window (366 days,
  service_levels/sla_actions.py), so every objective's current and previous window — the
  trend — stays whole;
- audit events and row history at least 90 days, the least an investigation needs;
- personal data at least 30 days, so a mistaken deactivation can still be undone.
Idempotency keys and sign-in states cannot be kept forever (they exist only to replay a
response or finish a sign-in, and sign-in states hold tokens): at least 1 day, at most 30.
"""

from __future__ import annotations

from dataclasses import dataclass

LONGEST_SLA_WINDOW_DAYS = 366
KPI_MINIMUM_DAYS = 2 * LONGEST_SLA_WINDOW_DAYS


@dataclass(frozen=True)
class RetentionBounds:
    minimum: int
    forever_allowed: bool = True  # 0 keeps the kind forever
    maximum: int | None = None


RETENTION_BOUNDS = {
    "retention_audit_days": RetentionBounds(90),
    "retention_history_days": RetentionBounds(90),
    "retention_requests_days": RetentionBounds(KPI_MINIMUM_DAYS),
    "retention_incidents_days": RetentionBounds(KPI_MINIMUM_DAYS),
    "retention_measurements_days": RetentionBounds(KPI_MINIMUM_DAYS),
    "retention_sla_events_days": RetentionBounds(KPI_MINIMUM_DAYS),
    "retention_feedback_days": RetentionBounds(30),
    "retention_people_days": RetentionBounds(30),
    # Longer than the day a failing delivery is retried for.
    "retention_deliveries_days": RetentionBounds(2),
    # Service.adoption's longest window; an investigation's least.
    "retention_salesforce_activity_days": RetentionBounds(366),
    "retention_data_access_days": RetentionBounds(90),
    "retention_idempotency_keys_days": RetentionBounds(1, forever_allowed=False, maximum=30),
    "retention_sign_in_states_days": RetentionBounds(1, forever_allowed=False, maximum=30),
}


def check_retention(field: str, days: int) -> int:
    """`days` if it is within the bounds of the setting `field`, else a ValueError saying why."""
    bounds = RETENTION_BOUNDS[field]
    if bounds.forever_allowed and days == 0:
        return days
    if days < bounds.minimum:
        forever = ", or 0 to keep them forever" if bounds.forever_allowed else ""
        raise ValueError(f"at least {_days(bounds.minimum)}{forever} (got {days})")
    if bounds.maximum is not None and days > bounds.maximum:
        raise ValueError(f"at most {_days(bounds.maximum)} (got {days})")
    return days


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
