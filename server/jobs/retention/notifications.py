"""Notification deliveries: removed once written longer ago than their period, whatever their
status (a failing one is given up a day after it was written; the minimum of 2 days keeps
every delivery still being tried)."""

from __future__ import annotations

from server.jobs.retention.rule import CUTOFF, Rule

DELIVERIES = Rule(
    key="notification_delivery",
    name="notification deliveries",
    setting="retention_deliveries_days",
    table="notification_delivery",
    where=f"created_at < {CUTOFF}",
)
