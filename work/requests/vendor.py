"""The vendor Cases of escalated requests, read live by our request ids (the external id).

One SOQL query per org for a whole batch of requests (chunked beyond 200), cached for the
gateway's TTL like its other reads. Built from the gateway's public parts; it belongs in
the gateway itself once the gateway grows a read by external id.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from salesforce import queries
from salesforce.deadline import Deadline
from salesforce.gateway import SalesforceGateway, fetch_records
from salesforce.records import CaseRecord

CASE_FIELDS = "Id, CaseNumber, Subject, Status, Priority, CreatedDate"


def cases_by_external_id(field: str, keys: Sequence[str]) -> str:
    return f"SELECT {CASE_FIELDS}, {field} FROM Case WHERE {field} IN {queries.in_list(keys)}"


async def escalated_cases(
    gateway: SalesforceGateway, ref: str, request_ids: Sequence[str], deadline: Deadline
) -> dict[str, CaseRecord | None]:
    """The Case of each request id in the org `ref`; None where the org has none."""
    org = gateway.orgs[ref]
    field = org.config.case_external_id_field
    cache_keys = {key: f"{ref}:EscalatedCase:{key}" for key in request_ids}
    cached = await gateway.cache.get_many(list(cache_keys.values()))
    found: dict[str, dict[str, Any] | None] = {
        key: cached[cache_keys[key]] for key in request_ids if cache_keys[key] in cached
    }
    missing = [key for key in request_ids if key not in found]
    for chunk in queries.chunks(missing):
        records = await org.call(
            partial(fetch_records, cases_by_external_id(field, chunk)), deadline=deadline
        )
        fetched: dict[str, dict[str, Any] | None] = dict.fromkeys(chunk)
        for record in records:
            if record.get(field) in fetched:
                fetched[record[field]] = record
        await gateway.cache.set_many(
            {cache_keys[key]: value for key, value in fetched.items()}, gateway.cache_ttl_s
        )
        found |= fetched
    return {key: _case(found.get(key)) for key in request_ids}


def _case(record: dict[str, Any] | None) -> CaseRecord | None:
    return CaseRecord.from_json(record) if record is not None else None
