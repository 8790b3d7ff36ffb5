"""Idempotency keys, sign-in states and browser sessions: short-lived by nature, never kept
forever (their settings refuse 0)."""

from __future__ import annotations

from server.jobs.retention.rule import CUTOFF, Rule

# Made more than the period ago and expired: a key replays for 24 hours (SPEC §2), so the
# minimum of 1 day keeps it as long as it serves, and a live key is never removed.
IDEMPOTENCY_KEYS = Rule(
    key="idempotency_key",
    name="idempotency keys",
    setting="retention_idempotency_keys_days",
    table="idempotency_key",
    where=f"created_at < {CUTOFF} AND expires_at < now()",
)

LOGIN_STATES = Rule(
    key="login_state",
    name="login states",
    setting="retention_sign_in_states_days",
    table="login_state",
    where=f"expires_at < {CUTOFF}",
)

BROWSER_SESSIONS = Rule(
    key="browser_session",
    name="browser sessions",
    setting="retention_sign_in_states_days",
    table="browser_session",
    where=f"expires_at < {CUTOFF}",
)
