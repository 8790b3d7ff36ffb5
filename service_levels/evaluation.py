"""The evaluation job: answer every live objective and record its SLA events.

BREACHED records SLA_BREACHED, AT_RISK records SLA_AT_RISK, and MET after either of them
in the same window records SLA_RECOVERED; NO_DATA records nothing. Each kind is recorded
at most once per (objective, window), by the table's unique key: a repeated or concurrent
run records nothing new, and a breach after a recovery in the same window is not recorded
again. Objectives are read in batches, with one statement recording each batch's events.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from service_levels import sla_events
from service_levels.metric_sql import MetricSettings
from service_levels.models import SlaEventKind
from service_levels.objective_answers import Asked, answers_of
from service_levels.objectives import Answer, Status
from service_levels.sla_events import EventCandidate, LiveObjective, RecordedEvent

BATCH_SIZE = 500

KIND_OF_STATUS = {
    Status.BREACHED: SlaEventKind.SLA_BREACHED,
    Status.AT_RISK: SlaEventKind.SLA_AT_RISK,
    Status.MET: SlaEventKind.SLA_RECOVERED,  # recorded only after trouble in the window
}


@dataclass(frozen=True)
class EvaluationSummary:
    objectives: int = 0
    breaches: int = 0
    at_risk: int = 0
    recoveries: int = 0
    # What was recorded, for the job to notify of; left out of comparisons and the summary.
    recorded: tuple[RecordedEvent, ...] = field(default=(), compare=False, repr=False)

    def __str__(self) -> str:
        return (
            f"evaluated {self.objectives} objectives, recorded {self.breaches} breaches,"
            f" {self.at_risk} at risk, {self.recoveries} recoveries"
        )

    def add(self, objectives: int, recorded: Sequence[RecordedEvent]) -> EvaluationSummary:
        kinds = [event.kind for event in recorded]
        return EvaluationSummary(
            self.objectives + objectives,
            self.breaches + kinds.count(SlaEventKind.SLA_BREACHED),
            self.at_risk + kinds.count(SlaEventKind.SLA_AT_RISK),
            self.recoveries + kinds.count(SlaEventKind.SLA_RECOVERED),
            (*self.recorded, *recorded),
        )


def candidates(
    objectives: Sequence[LiveObjective], answers: Mapping[uuid.UUID, Answer]
) -> list[EventCandidate]:
    """The event each answer calls for; none without data or without a window."""
    found = []
    for objective in objectives:
        answer = answers.get(objective.id)
        if answer is None or answer.window is None or answer.status not in KIND_OF_STATUS:
            continue
        found.append(
            EventCandidate(
                objective_id=objective.id,
                sla_id=objective.sla_id,
                service_id=objective.service_id,
                kind=KIND_OF_STATUS[answer.status],
                window_start=answer.window.start,
                window_end=answer.window.end,
                value=answer.current_value,
                target=objective.target,
                error_budget=answer.error_budget,
            )
        )
    return found


async def evaluate_objectives(
    session: AsyncSession,
    as_of: datetime,
    *,
    settings: MetricSettings | None = None,
    batch_size: int = BATCH_SIZE,
) -> EvaluationSummary:
    """Answer every objective of every live SLA at `as_of` and record the events due."""
    metric_settings = settings or MetricSettings()
    summary = EvaluationSummary()
    after: uuid.UUID | None = None
    while True:
        batch = await sla_events.live_objectives(session, after=after, limit=batch_size)
        if not batch:
            return summary
        asked = [
            Asked.of(item.objective, item.service_id, item.time_zone, metric_settings)
            for item in batch
        ]
        # Events need no trend: the window before is not measured.
        answers = await answers_of(session, asked, as_of, metric_settings, trend=False)
        recorded = await sla_events.record_events(session, candidates(batch, answers))
        summary = summary.add(len(batch), recorded)
        if len(batch) < batch_size:
            return summary
        after = batch[-1].id
