"""Scheduled jobs, run once across replicas by `service-catalog worker` (server/jobs/scheduler.py).

To schedule a job, write it in a module of its own here and register it below, one line:

    register(Job("sla-evaluation", every=timedelta(minutes=5), run=evaluate_slas))

where `run` is `async def evaluate_slas(context: JobContext) -> str` returning a summary.
"""

from __future__ import annotations

from datetime import timedelta

from server.jobs.adoption_sampling import run_adoption_sampling
from server.jobs.clock_events import record_clock_events
from server.jobs.clock_restamp import restamp_clocks
from server.jobs.context import JobContext, JobFunction
from server.jobs.daily_notices import notify_overdue_models, notify_release_readiness
from server.jobs.purge import purge_expired
from server.jobs.review_digest import send_review_digest
from server.jobs.salesforce_event_logs import run_event_log_sync
from server.jobs.salesforce_ideas import sync_salesforce_ideas, write_back_salesforce_ideas
from server.jobs.salesforce_sandboxes import run_sandbox_sync
from server.jobs.salesforce_trust import run_trust_calendar, run_trust_incidents
from server.jobs.salesforce_users import reconcile_all_org_users, reconcile_due_org_users
from server.jobs.scheduler import (
    EPOCH,
    JOBS,
    Job,
    Scheduler,
    register,
    run_jobs_once,
    run_now,
    run_slot,
    run_worker,
)
from server.jobs.sla_evaluation import evaluate_slas

__all__ = [
    "EPOCH",
    "JOBS",
    "Job",
    "JobContext",
    "JobFunction",
    "Scheduler",
    "evaluate_slas",
    "register",
    "restamp_clocks",
    "run_jobs_once",
    "run_now",
    "run_slot",
    "run_worker",
]

# The scheduled jobs, one line each.
register(Job("purge", every=timedelta(days=1), offset=timedelta(hours=3), run=purge_expired))
register(Job("sla-evaluation", every=timedelta(minutes=5), run=evaluate_slas))
register(Job("clock-restamp", every=timedelta(minutes=10), run=restamp_clocks))
register(
    Job(
        "adoption-sampling",
        every=timedelta(days=1),
        offset=timedelta(hours=1),
        run=run_adoption_sampling,
    )
)
register(Job("clock-events", every=timedelta(minutes=1), run=record_clock_events))
# Mondays 08:00 UTC: slots count from EPOCH, a Thursday.
register(
    Job(
        "review-digest",
        every=timedelta(weeks=1),
        offset=timedelta(days=4, hours=8),
        run=send_review_digest,
    )
)
register(
    Job(
        "ai-model-attention",
        every=timedelta(days=1),
        offset=timedelta(hours=7),
        run=notify_overdue_models,
    )
)
register(
    Job(
        "release-readiness",
        every=timedelta(days=1),
        offset=timedelta(hours=7, minutes=30),
        run=notify_release_readiness,
    )
)
register(
    Job(
        "salesforce-sandboxes",
        every=timedelta(hours=1),
        offset=timedelta(minutes=20),
        run=run_sandbox_sync,
    )
)
# Provisioning drift: every org nightly, and within a minute of a SCIM deactivation.
register(
    Job(
        "salesforce-users",
        every=timedelta(days=1),
        offset=timedelta(hours=2),
        run=reconcile_all_org_users,
    )
)
register(Job("salesforce-users-due", every=timedelta(minutes=1), run=reconcile_due_org_users))
register(
    Job(
        "salesforce-ideas",
        every=timedelta(hours=1),
        offset=timedelta(minutes=20),
        run=sync_salesforce_ideas,
    )
)
register(
    Job("salesforce-idea-write-back", every=timedelta(minutes=1), run=write_back_salesforce_ideas)
)
# Vendor incidents every 15 minutes; the maintenance calendar (seasonal releases) daily.
register(Job("salesforce-trust-incidents", every=timedelta(minutes=15), run=run_trust_incidents))
register(
    Job(
        "salesforce-trust-calendar",
        every=timedelta(days=1),
        offset=timedelta(hours=5),
        run=run_trust_calendar,
    )
)
register(
    Job(
        "salesforce-event-logs",
        every=timedelta(hours=1),
        offset=timedelta(minutes=40),
        run=run_event_log_sync,
    )
)
