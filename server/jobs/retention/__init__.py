"""What `purge` enforces: one retention rule per kind, in the order it runs and reports them."""

from __future__ import annotations

from server.jobs.retention.event_monitoring import DATA_ACCESS, SALESFORCE_ACTIVITY
from server.jobs.retention.expiring import BROWSER_SESSIONS, IDEMPOTENCY_KEYS, LOGIN_STATES
from server.jobs.retention.logs import AUDIT_EVENTS, HISTORY
from server.jobs.retention.measurements import MEASUREMENTS, SLA_EVENTS
from server.jobs.retention.notifications import DELIVERIES
from server.jobs.retention.personal import DEACTIVATED_PEOPLE, FEEDBACK_CONTACT_EMAILS
from server.jobs.retention.rule import Action, Rule
from server.jobs.retention.work_items import CLOSED_INCIDENTS, CLOSED_REQUESTS

RULES: tuple[Rule, ...] = (
    AUDIT_EVENTS,
    HISTORY,
    CLOSED_REQUESTS,
    CLOSED_INCIDENTS,
    MEASUREMENTS,
    SLA_EVENTS,
    FEEDBACK_CONTACT_EMAILS,
    DEACTIVATED_PEOPLE,
    IDEMPOTENCY_KEYS,
    LOGIN_STATES,
    BROWSER_SESSIONS,
    DELIVERIES,
    SALESFORCE_ACTIVITY,
    DATA_ACCESS,
)

__all__ = ["RULES", "Action", "Rule"]
