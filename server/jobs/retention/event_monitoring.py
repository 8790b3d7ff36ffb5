"""What the Salesforce event logs left behind: the daily activity adoption counts (kept at
least the longest adoption window, 366 days) and the sensitive-data accesses (personal data:
who, from which address; kept at least 90 days, what an investigation needs)."""

from __future__ import annotations

from server.jobs.retention.rule import CUTOFF, Rule

SALESFORCE_ACTIVITY = Rule(
    key="salesforce_activity",
    name="Salesforce activity",
    setting="retention_salesforce_activity_days",
    table="salesforce_activity",
    where=f"day < ({CUTOFF})::date",
)
DATA_ACCESS = Rule(
    key="salesforce_data_access",
    name="sensitive-data accesses",
    setting="retention_data_access_days",
    table="salesforce_data_access",
    where=f"at < {CUTOFF}",
)
