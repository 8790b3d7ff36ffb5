"""Audit events and row history: removed once older than their period."""

from __future__ import annotations

from server.jobs.retention.rule import CUTOFF, Rule

# The audit log is append-only: its trigger (migration 0003) lets only a transaction that
# sets catalog.purging delete from it.
AUDIT_EVENTS = Rule(
    key="audit_event",
    name="audit events",
    setting="retention_audit_days",
    table="audit_event",
    where=f"at < {CUTOFF}",
    prepare=("SET LOCAL catalog.purging = 'on'",),
)

HISTORY = Rule(
    key="record_version",
    name="history",
    setting="retention_history_days",
    table="record_version",
    where=f"at < {CUTOFF}",
)
