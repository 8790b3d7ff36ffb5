"""Measurements and SLA events: removed once older than their period (nothing refers to
either; their minimum keeps every objective's current and previous window whole)."""

from __future__ import annotations

from server.jobs.retention.rule import CUTOFF, Rule

MEASUREMENTS = Rule(
    key="measurement",
    name="measurements",
    setting="retention_measurements_days",
    table="measurement",
    where=f"at < {CUTOFF}",
)

SLA_EVENTS = Rule(
    key="sla_event",
    name="SLA events",
    setting="retention_sla_events_days",
    table="sla_event",
    where=f"at < {CUTOFF}",
)
