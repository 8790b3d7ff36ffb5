"""The gateway: batched, cached, deadline-bound reads of the configured orgs, and the one write.

Made once in the app's lifespan. Callers name orgs by credentials reference (the key of
CATALOG_SALESFORCE_ORGS) and pass the deadline of their request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from purgatory import AsyncCircuitBreakerFactory
from simple_salesforce.api import Salesforce

from core.salesforce_settings import SalesforceOrgConfig
from core.settings import Settings
from salesforce import queries
from salesforce.cache import MemoryCache, ReadCache, RedisCache
from salesforce.connection import OrgConnection
from salesforce.deadline import Deadline
from salesforce.escalation import escalate
from salesforce.http import ApiUsage, OrgSession
from salesforce.records import Adoption, CaseDraft, CaseRecord, EscalatedCase, IdeaRecord, OrgLimit
from salesforce.users import ACTIVE_USERS, FROZEN_LOGINS, LICENCES, OrgDirectory, OrgUserRecord
from salesforce.users import freeze as freeze_login

Json = dict[str, Any]


class NoSupportOrg(LookupError):
    """No org is marked `"support"` and the caller named none."""


def fetch_records(soql: str, sf: Salesforce) -> list[Json]:
    """Every page of the query; each record keeps a link to it in `_url`."""
    base = f"https://{sf.sf_instance}/"
    records = sf.query_all(soql)["records"]
    return [
        {key: value for key, value in record.items() if key != "attributes"}
        | ({"_url": base + record["Id"]} if "Id" in record else {})
        for record in records
    ]


def count(soql: str, sf: Salesforce) -> int:
    return int(sf.query(soql)["totalSize"])


class SalesforceGateway:
    def __init__(
        self,
        orgs: Mapping[str, SalesforceOrgConfig],
        *,
        ca_bundle: Path | None = None,
        timeout_s: float = 5.0,
        cache_ttl_s: float = 60.0,
        cache: ReadCache | None = None,
        breaker_threshold: int = 5,
        breaker_ttl_s: float = 30.0,
        capacity: int = 4,
    ) -> None:
        self.timeout_s = timeout_s
        self.cache_ttl_s = cache_ttl_s
        self.cache: ReadCache = cache or MemoryCache()
        breakers = AsyncCircuitBreakerFactory(
            default_threshold=breaker_threshold, default_ttl=breaker_ttl_s
        )
        # Each org's breaker state as purgatory last reported it (by org id), for /metrics.
        self.breaker_states: dict[str, str] = {}
        breakers.add_listener(self._note_breaker)
        self.orgs = {
            ref: OrgConnection(
                config,
                session=OrgSession(default_timeout=timeout_s, ca_bundle=ca_bundle, org=ref),
                breakers=breakers,
                capacity=capacity,
            )
            for ref, config in orgs.items()
        }

    def _note_breaker(self, name: str, event_type: str, event: Any) -> None:
        if event_type == "state_changed":
            self.breaker_states[name] = str(event.state)

    def breaker_state(self, ref: str) -> str:
        """`closed`, `opened` or `half-opened`."""
        return self.breaker_states.get(self.orgs[ref].org_id, "closed")

    @classmethod
    def from_settings(cls, settings: Settings) -> SalesforceGateway:
        cache = RedisCache(settings.redis_url) if settings.redis_url else MemoryCache()
        return cls(
            settings.salesforce_orgs,
            ca_bundle=settings.salesforce_ca_bundle,
            timeout_s=settings.salesforce_timeout_s,
            cache_ttl_s=settings.salesforce_cache_ttl_s,
            cache=cache,
        )

    async def close(self) -> None:
        for org in self.orgs.values():
            org.session.close()
        await self.cache.close()

    def connected(self, ref: str | None) -> bool:
        return ref is not None and ref in self.orgs

    def org_id(self, ref: str) -> str:
        return self.orgs[ref].org_id

    def deadline(self) -> Deadline:
        """The budget of one GraphQL request: CATALOG_SALESFORCE_TIMEOUT_S from now."""
        return Deadline.after(self.timeout_s)

    @property
    def support_org(self) -> str | None:
        return next((ref for ref, org in self.orgs.items() if org.config.support), None)

    def api_usage(self, ref: str) -> ApiUsage | None:
        return self.orgs[ref].api_usage

    # -- batched reads ----------------------------------------------------------------

    async def _by_key(
        self,
        ref: str,
        object_name: str,
        keys: Sequence[str],
        deadline: Deadline,
        soql: Callable[[list[str]], str],
        key_of: Callable[[Json], str | None],
    ) -> dict[str, list[Json]]:
        """Records by key: cached ones first, the rest in one query per chunk of keys."""
        # SOQL compares strings without regard to case, and so do we.
        wanted = {key.casefold(): key for key in keys}
        cache_keys = {folded: f"{ref}:{object_name}:{folded}" for folded in wanted}
        cached = await self.cache.get_many(list(cache_keys.values()))
        found = {folded: cached[key] for folded, key in cache_keys.items() if key in cached}
        missing = sorted(set(wanted) - set(found))
        if missing:
            org = self.orgs[ref]
            pages = await asyncio.gather(
                *(
                    org.call(partial(fetch_records, soql(chunk)), deadline=deadline)
                    for chunk in queries.chunks([wanted[folded] for folded in missing])
                )
            )
            grouped: dict[str, list[Json]] = {folded: [] for folded in missing}
            for record in (record for page in pages for record in page):
                grouped.get((key_of(record) or "").casefold(), []).append(record)
            await self.cache.set_many(
                {cache_keys[folded]: grouped[folded] for folded in missing}, self.cache_ttl_s
            )
            found |= grouped
        return {key: found[key.casefold()] for key in keys}

    async def open_cases(
        self, ref: str, keys: Sequence[str], *, deadline: Deadline
    ) -> dict[str, list[CaseRecord]]:
        """Open Cases by service key (the org's `case_service_field`), newest first."""
        field = self.orgs[ref].config.case_service_field
        found = await self._by_key(
            ref, "Case", keys, deadline, partial(queries.open_cases, field), lambda r: r.get(field)
        )
        return {key: [CaseRecord.from_json(r) for r in records] for key, records in found.items()}

    async def violated_case_ids(
        self, ref: str, keys: Sequence[str], *, deadline: Deadline
    ) -> dict[str, set[str]]:
        """Ids of open Cases with a violated, uncompleted milestone, by service key."""
        field = self.orgs[ref].config.case_service_field
        found = await self._by_key(
            ref,
            "CaseMilestone",
            keys,
            deadline,
            partial(queries.violated_milestones, field),
            lambda r: (r.get("Case") or {}).get(field),
        )
        return {key: {r["CaseId"] for r in records} for key, records in found.items()}

    async def ideas(
        self, ref: str, keys: Sequence[str], *, deadline: Deadline
    ) -> dict[str, list[IdeaRecord]]:
        """Ideas by service key (the org's `idea_service_field`), most voted first."""
        field = self.orgs[ref].config.idea_service_field
        found = await self._by_key(
            ref, "Idea", keys, deadline, partial(queries.ideas, field), lambda r: r.get(field)
        )
        return {
            key: [IdeaRecord.from_json(r, field) for r in records] for key, records in found.items()
        }

    async def linked_ideas(self, ref: str, *, deadline: Deadline | None = None) -> list[IdeaRecord]:
        """Every Idea naming a service, uncached: what the import reads."""
        field = self.orgs[ref].config.idea_service_field
        records = await self.orgs[ref].call(
            partial(fetch_records, queries.every_linked_idea(field)),
            deadline=deadline or self.deadline(),
        )
        return [IdeaRecord.from_json(record, field) for record in records]

    async def _cached(self, key: str, read: Callable[[], Any]) -> Any:
        hit = await self.cache.get_many([key])
        if key in hit:
            return hit[key]
        value = await read()
        await self.cache.set_many({key: value}, self.cache_ttl_s)
        return value

    async def limits(self, ref: str, *, deadline: Deadline) -> list[OrgLimit]:
        """The org's limits (`/limits`), by name."""
        org = self.orgs[ref]

        async def read() -> Json:
            result: Json = await org.call(lambda sf: dict(sf.limits()), deadline=deadline)
            return result

        found = await self._cached(f"{ref}:limits", read)
        return [
            OrgLimit(name, int(value.get("Max", 0)), int(value.get("Remaining", 0)))
            for name, value in sorted(found.items())
            if isinstance(value, dict)
        ]

    async def adoption(self, ref: str, *, deadline: Deadline) -> Adoption:
        """Active and licensed users (UserLicense, User) and logins (LoginHistory)."""
        org = self.orgs[ref]

        async def read() -> list[Any]:
            return list(
                await asyncio.gather(
                    org.call(partial(count, queries.ACTIVE_USERS), deadline=deadline),
                    org.call(partial(fetch_records, queries.LICENSES), deadline=deadline),
                    org.call(partial(count, queries.LOGINS), deadline=deadline),
                )
            )

        active, licenses, logins = await self._cached(f"{ref}:adoption", read)
        licensed = sum(
            int(item.get("UsedLicenses") or 0)
            for item in licenses
            if not str(item.get("Name", "")).startswith("Chatter")
        )
        return Adoption(active_users=active, licensed_users=licensed, logins_last_30_days=logins)

    async def org_directory(self, ref: str, *, deadline: Deadline | None = None) -> OrgDirectory:
        """The org's active users, frozen logins and licences, uncached: one query each."""
        org, deadline = self.orgs[ref], deadline or self.deadline()
        users, frozen, licences = await asyncio.gather(
            org.call(partial(fetch_records, ACTIVE_USERS), deadline=deadline),
            org.call(partial(fetch_records, FROZEN_LOGINS), deadline=deadline),
            org.call(partial(fetch_records, LICENCES), deadline=deadline),
        )
        return OrgDirectory.from_json(users, frozen, licences)

    async def freeze_user(
        self, ref: str, user_id: str, *, deadline: Deadline | None = None
    ) -> OrgUserRecord | None:
        """Freeze the login of the org's active user `user_id`; None when there is none."""
        return await self.orgs[ref].call(
            partial(freeze_login, user_id), deadline=deadline or self.deadline(), idempotent=True
        )

    # -- the write --------------------------------------------------------------------

    async def escalate_case(
        self,
        *,
        external_id: str,
        case: CaseDraft,
        ref: str | None = None,
        deadline: Deadline | None = None,
    ) -> EscalatedCase:
        """Create the Case for our record `external_id` in the support org (or `ref`).

        An upsert on the org's `case_external_id_field`: retried, or sent again after our
        own transaction failed to commit, it finds the Case it made instead of a second one.
        """
        ref = ref or self.support_org
        if ref is None or ref not in self.orgs:
            raise NoSupportOrg("no Salesforce org is marked as the support org")
        org = self.orgs[ref]
        return await org.call(
            partial(escalate, org.config, external_id, case),
            deadline=deadline or self.deadline(),
            idempotent=True,
        )
