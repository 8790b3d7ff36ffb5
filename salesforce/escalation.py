"""The escalation Case, upserted on the org's external id field (runs in a worker thread)."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote as url_quote

from simple_salesforce.api import Salesforce, SFType

from core.salesforce_settings import SalesforceOrgConfig
from salesforce import queries
from salesforce.records import CaseDraft, EscalatedCase


def case_fields(config: SalesforceOrgConfig, case: CaseDraft) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "Subject": case.subject[:255],
        "Description": case.description[:32_000],
        "Priority": case.priority,
    }
    if case.service_key is not None:
        fields[config.case_service_field] = case.service_key
    return fields


def escalate(
    config: SalesforceOrgConfig, external_id: str, case: CaseDraft, sf: Salesforce
) -> EscalatedCase:
    field = config.case_external_id_field
    cases = cast(SFType, getattr(sf, "Case"))  # noqa: B009  (simple-salesforce's dynamic attribute)
    response = cases.upsert(
        f"{field}/{url_quote(external_id, safe='')}", case_fields(config, case), raw_response=True
    )
    found = sf.query(
        f"SELECT Id, CaseNumber FROM Case WHERE {field} = {queries.quote(external_id)}"
    )["records"]
    record = found[0]
    return EscalatedCase(
        org_id=config.org_id,
        id=record["Id"],
        case_number=record.get("CaseNumber"),
        created=response.status_code == 201,
        url=f"https://{sf.sf_instance}/{record['Id']}",
    )
