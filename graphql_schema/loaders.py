"""The request's DataLoaders, for what a list resolver cannot prefetch (arguments, the caller).

`info.context.loaders` is a `Loaders`: one typed attribute per loader, made on first use and
kept for the request, each batch one statement through the request's session. A loader that
depends on a field's arguments or selection is a `LoaderFamily`: `loaders.walks[args,
selections]` is one loader per distinct parameter, so sibling objects asking alike share it.
The batch functions live beside their types, in each domain's loaders.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import date, datetime
from functools import cached_property, partial
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import Selection

from catalog.ai_models.models import AIModel as AIModelModel
from catalog.ai_models.models import Evaluation as EvaluationModel
from catalog.ai_models.repository import latest_by_model_ids
from catalog.backups.readiness import OrgEvidence
from catalog.event_monitoring import repository as event_monitoring
from catalog.org_users.models import SalesforceOrgUser
from catalog.orgs.models import SalesforceOrg
from catalog.sandboxes import repository as sandboxes
from catalog.sandboxes.models import SandboxSnapshot, ScratchOrgSnapshot
from catalog.services.models import Service
from catalog.trust import repository as trust
from catalog.trust.models import VendorIncident
from feedback import repository as feedback_repository
from feedback.models import FeedbackStatusChange
from graphql_schema.catalog.ai_models import loaders as ai_models
from graphql_schema.catalog.backups import loaders as backups
from graphql_schema.catalog.graph import loaders as graph
from graphql_schema.catalog.org_users import loaders as org_users
from graphql_schema.catalog.org_users.types import LicenceUse
from graphql_schema.catalog.orgs import loaders as orgs
from graphql_schema.context import Context
from graphql_schema.feedback import loaders as feedback
from graphql_schema.feedback.satisfaction import loaders as satisfaction
from graphql_schema.service_levels.clocks import loaders as clocks
from graphql_schema.service_levels.kpis import loaders as kpis
from graphql_schema.service_levels.measurements import loaders as measurements
from graphql_schema.service_levels.slas import loaders as slas
from graphql_schema.work.backlog import loaders as backlog
from graphql_schema.work.incidents import loaders as incidents
from graphql_schema.work.releases import loaders as releases
from graphql_schema.work.requests import loaders as requests
from service_levels import actions, measurement_repository, rollups
from service_levels import repository as service_levels_repository
from service_levels.frames import MetricValue
from service_levels.metric_sql import MetricSettings
from service_levels.models import ClockPolicy, Measurement, Metric
from service_levels.models import Sla as SlaModel
from service_levels.objective_answers import SeriesPoint
from service_levels.objectives import Answer
from work.incidents.models import Incident
from work.incidents.vendor_time import VendorAttribution, vendor_attribution_by_incident_ids
from work.releases.models import Release, ReleaseOrgSchedule
from work.releases.org_schedule import schedules_by_release_ids
from work.releases.sandbox_drift import sandboxes_missing_fix_by_item_ids

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")
Param = TypeVar("Param")

Batch = Callable[[AsyncSession, Sequence[Key]], Awaitable[dict[Key, Value]]]


class LoaderFamily(Generic[Param, Key, Value]):
    """Loaders of one kind that differ by a parameter: one per distinct `key(param)`."""

    def __init__(
        self,
        make: Callable[[Param], DataLoader[Key, Value]],
        key: Callable[[Param], Hashable] = lambda param: param,
    ) -> None:
        self._make = make
        self._key = key
        self._loaders: dict[Hashable, DataLoader[Key, Value]] = {}

    def __getitem__(self, param: Param) -> DataLoader[Key, Value]:
        key = self._key(param)
        if key not in self._loaders:
            self._loaders[key] = self._make(param)
        return self._loaders[key]


def _by_identity(param: Any) -> Hashable:
    return id(param)


def _by_repr(param: Any) -> Hashable:
    return repr(param)


async def _adoption(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], *, first_day: date, last_day: date
) -> dict[uuid.UUID, list[tuple[date | None, int, int]]]:
    return await event_monitoring.adoption(session, service_ids, first_day, last_day)


class Loaders:
    """The request's DataLoaders, one attribute each, made on first use."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def _by_key(
        self, batch: Batch[Key, Value], default: Value | None = None
    ) -> DataLoader[Key, Value | None]:
        """A loader over `batch`: one statement per batch, through the request's session."""
        context = self._context

        async def load(keys: list[Key]) -> list[Value | None]:
            async with context.db() as session:
                found = await batch(session, keys)
            return [found.get(key, default) for key in keys]

        return DataLoader(load_fn=load)

    def _salesforce(self, read: orgs.BatchRead) -> DataLoader[orgs.OrgKey, Any] | None:
        """A loader over (org, key) pairs; None without a gateway."""
        gateway = self._context.salesforce
        if gateway is None:
            return None
        return DataLoader(load_fn=orgs.org_batch(self._context, gateway, read))

    @cached_property
    def _metric_settings(self) -> MetricSettings:
        return MetricSettings.of(self._context.settings)

    # catalog: the dependency graph

    @cached_property
    def walks(self) -> LoaderFamily[graph.WalkQuery, uuid.UUID, list[graph.LoadedStep]]:
        """The dependencies met walking from each service, per walk and selection."""
        return LoaderFamily(
            lambda query: DataLoader(load_fn=partial(graph.walks, self._context, query)),
            key=graph.query_key,
        )

    @cached_property
    def cycles(self) -> LoaderFamily[graph.CyclesQuery, uuid.UUID, list[list[Service]]]:
        """The cycles through each service, per maximum length and selection."""
        return LoaderFamily(
            lambda query: DataLoader(load_fn=partial(graph.cycles, self._context, query)),
            key=graph.query_key,
        )

    # catalog: live Salesforce fields, keyed by (credentials reference, service key)

    @cached_property
    def salesforce_cases(self) -> DataLoader[orgs.OrgKey, Any] | None:
        return self._salesforce(orgs.open_cases)

    @cached_property
    def salesforce_violated_case_ids(self) -> DataLoader[orgs.OrgKey, Any] | None:
        return self._salesforce(orgs.violated_case_ids)

    @cached_property
    def salesforce_ideas(self) -> DataLoader[orgs.OrgKey, Any] | None:
        return self._salesforce(orgs.ideas)

    @cached_property
    def salesforce_limits(self) -> DataLoader[orgs.OrgKey, Any] | None:
        return self._salesforce(orgs.limits)

    @cached_property
    def salesforce_adoption(self) -> DataLoader[orgs.OrgKey, Any] | None:
        return self._salesforce(orgs.adoption)

    # catalog: provisioning drift, from the last reconciliation of each org's users

    @cached_property
    def org_user_drift(
        self,
    ) -> LoaderFamily[Sequence[Selection], uuid.UUID, list[SalesforceOrgUser] | None]:
        """Each org's drifting users, per selection."""
        return LoaderFamily(
            lambda selections: self._by_key(partial(org_users.drift, selections)), key=_by_repr
        )

    @cached_property
    def org_user_synced_at(self) -> DataLoader[uuid.UUID, datetime | None]:
        return self._by_key(org_users.synced_at)

    @cached_property
    def org_licences(self) -> DataLoader[uuid.UUID, list[LicenceUse] | None]:
        return self._by_key(org_users.licences)

    # catalog: AI models

    @cached_property
    def ai_models_by_service_id(
        self,
    ) -> LoaderFamily[Sequence[Selection], uuid.UUID, list[AIModelModel] | None]:
        """Each service's AI models, per selection."""
        return LoaderFamily(
            lambda selections: self._by_key(partial(ai_models.models_by_service_ids, selections)),
            key=_by_repr,
        )

    @cached_property
    def ai_models_attention(self) -> DataLoader[uuid.UUID, bool | None]:
        return self._by_key(ai_models.attention_by_service_ids, default=False)

    @cached_property
    def latest_evaluations(self) -> DataLoader[uuid.UUID, list[EvaluationModel] | None]:
        return self._by_key(latest_by_model_ids)

    # catalog: data-loss readiness

    @cached_property
    def data_loss_readiness(self) -> DataLoader[uuid.UUID, backups.Verdict | None]:
        """Each service's data-loss verdict and the production orgs it judged."""
        return self._by_key(backups.readiness_by_service_ids)

    @cached_property
    def backup_evidence(self) -> DataLoader[uuid.UUID, OrgEvidence | None]:
        """Each org's latest successful backup and restore drill."""
        return self._by_key(backups.evidence_by_org_ids)

    # catalog: vendor incidents (the Trust snapshot)

    @cached_property
    def vendor_incidents_by_org_id(self) -> DataLoader[uuid.UUID, list[VendorIncident] | None]:
        return self._by_key(trust.vendor_incidents_by_org_ids, default=[])

    @cached_property
    def vendor_incidents_by_id(self) -> DataLoader[uuid.UUID, VendorIncident | None]:
        return self._by_key(trust.vendor_incidents_by_ids)

    @cached_property
    def vendor_attribution_by_incident_id(
        self,
    ) -> DataLoader[uuid.UUID, VendorAttribution | None]:
        return self._by_key(vendor_attribution_by_incident_ids)

    @cached_property
    def org_schedule_by_release_id(
        self,
    ) -> DataLoader[uuid.UUID, list[ReleaseOrgSchedule] | None]:
        return self._by_key(schedules_by_release_ids, default=[])

    # catalog: sandboxes and scratch orgs (snapshots)

    @cached_property
    def orgs_by_id(self) -> DataLoader[uuid.UUID, SalesforceOrg | None]:
        return self._by_key(sandboxes.orgs_by_ids)

    @cached_property
    def sandboxes_by_production_org_id(
        self,
    ) -> DataLoader[uuid.UUID, list[SandboxSnapshot] | None]:
        return self._by_key(sandboxes.sandboxes_by_production_org_ids, default=[])

    @cached_property
    def scratch_orgs_by_dev_hub_id(self) -> DataLoader[uuid.UUID, list[ScratchOrgSnapshot] | None]:
        return self._by_key(sandboxes.scratch_orgs_by_dev_hub_ids, default=[])

    @cached_property
    def expiring_scratch_orgs(
        self,
    ) -> LoaderFamily[tuple[date, date], uuid.UUID, list[ScratchOrgSnapshot] | None]:
        """Each team's scratch orgs expiring from a first day through a last, per window."""
        return LoaderFamily(
            lambda days: self._by_key(
                partial(sandboxes.expiring_scratch_orgs_by_team_ids, today=days[0], until=days[1]),
                default=[],
            )
        )

    # catalog: Event Monitoring

    @cached_property
    def event_monitoring_orgs(self) -> DataLoader[uuid.UUID, list[tuple[str, bool]] | None]:
        """Each service's orgs the event-log job looked at: (org id, licensed)."""
        return self._by_key(event_monitoring.org_states, default=[])

    @cached_property
    def service_adoption(
        self,
    ) -> LoaderFamily[tuple[date, date], uuid.UUID, list[tuple[date | None, int, int]] | None]:
        """Each service's distinct users and sessions, over a window and per day."""
        return LoaderFamily(
            lambda days: self._by_key(
                partial(_adoption, first_day=days[0], last_day=days[1]), default=[]
            )
        )

    @cached_property
    def sandboxes_missing_fix(self) -> DataLoader[uuid.UUID, list[SandboxSnapshot] | None]:
        """Each hot fix's sandboxes copied before it reached their production org."""
        return self._by_key(sandboxes_missing_fix_by_item_ids, default=[])

    # work

    @cached_property
    def vendor_cases(self) -> DataLoader[orgs.OrgKey, Any] | None:
        """The vendor's Case of each escalated request, keyed by (org, request id)."""
        return self._salesforce(requests.vendor_cases)

    @cached_property
    def open_incidents(
        self,
    ) -> LoaderFamily[Sequence[Selection], uuid.UUID, list[Incident] | None]:
        """Each service's open incidents, per selection."""
        return LoaderFamily(
            lambda selections: self._by_key(partial(incidents.open_incidents, selections)),
            key=_by_repr,
        )

    @cached_property
    def releases_by_service_id(
        self,
    ) -> LoaderFamily[Sequence[Selection], uuid.UUID, list[Release] | None]:
        """Each service's releases in calendar order, per selection."""
        return LoaderFamily(
            lambda selections: self._by_key(partial(releases.releases_of_services, selections)),
            key=_by_repr,
        )

    @cached_property
    def releases_by_team_id(
        self,
    ) -> LoaderFamily[Sequence[Selection], uuid.UUID, list[Release] | None]:
        """Each team's releases (run by it or changing its services) in calendar order."""
        return LoaderFamily(
            lambda selections: self._by_key(partial(releases.releases_of_teams, selections)),
            key=_by_repr,
        )

    @cached_property
    def backlog_sources(self) -> LoaderFamily[backlog.SourceQuery, uuid.UUID, Any | None]:
        """The feedback, requests or incidents backlog items answer, per type and selection."""
        return LoaderFamily(
            lambda query: self._by_key(partial(backlog.sources, query)), key=backlog.source_key
        )

    # feedback

    @cached_property
    def viewer_has_voted(self) -> DataLoader[uuid.UUID, bool | None]:
        principal = self._context.principal
        person_id = principal.person_id if principal is not None else None
        return self._by_key(partial(feedback.voted, person_id), default=False)

    @cached_property
    def feedback_status_history(
        self,
    ) -> DataLoader[uuid.UUID, list[FeedbackStatusChange] | None]:
        return self._by_key(feedback_repository.status_history)

    @cached_property
    def satisfaction(
        self,
    ) -> LoaderFamily[tuple[str, int], uuid.UUID, feedback_repository.Satisfaction | None]:
        """Satisfaction of services, teams or units (the group), over so many days."""
        return LoaderFamily(
            lambda group_days: self._by_key(partial(satisfaction.satisfaction, *group_days))
        )

    # service levels

    @cached_property
    def slas_by_service_id(self) -> DataLoader[uuid.UUID, list[SlaModel] | None]:
        return self._by_key(service_levels_repository.slas_by_service_ids)

    @cached_property
    def objective_answers(self) -> DataLoader[uuid.UUID, Answer | None]:
        return self._by_key(partial(slas.answers, self._metric_settings))

    @cached_property
    def objective_series(
        self,
    ) -> LoaderFamily[slas.SeriesArgs, uuid.UUID, list[SeriesPoint] | None]:
        return LoaderFamily(
            lambda args: self._by_key(partial(slas.series, self._metric_settings, args))
        )

    @cached_property
    def pooled_before(
        self,
    ) -> LoaderFamily[rollups.KpiSummary, Metric, MetricValue | None]:
        """A KPI summary's metrics over the window before, per summary."""
        return LoaderFamily(
            lambda summary: self._by_key(
                partial(kpis.pooled_before, self._metric_settings, summary)
            ),
            key=_by_identity,
        )

    @cached_property
    def clock_data_by_request_id(self) -> DataLoader[uuid.UUID, clocks.ClockData | None]:
        return self._by_key(clocks.request_clocks)

    @cached_property
    def clock_data_by_incident_id(self) -> DataLoader[uuid.UUID, clocks.ClockData | None]:
        return self._by_key(clocks.incident_clocks)

    @cached_property
    def breach_counts_by_service_id(
        self,
    ) -> LoaderFamily[int, uuid.UUID, service_levels_repository.BreachCounts | None]:
        """Each service's running and breaching clocks, per horizon in hours."""
        return LoaderFamily(lambda hours: self._by_key(partial(clocks.breach_counts, hours)))

    @cached_property
    def clock_policy_by_service_id(self) -> DataLoader[uuid.UUID, ClockPolicy | None]:
        return self._by_key(actions.policies_for)

    @cached_property
    def measurement_pages(
        self,
    ) -> LoaderFamily[measurement_repository.PageQuery, uuid.UUID, list[Measurement] | None]:
        """A page of each service's measurements, per filter and page."""
        return LoaderFamily(lambda query: self._by_key(partial(measurements.pages, query)))

    @cached_property
    def measurement_counts(
        self,
    ) -> LoaderFamily[measurement_repository.PageQuery, uuid.UUID, int | None]:
        return LoaderFamily(lambda query: self._by_key(partial(measurements.counts, query)))
