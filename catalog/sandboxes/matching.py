"""Which registered org a sandbox or scratch org of Salesforce's is: the one with its org id,
else (a sandbox whose org id the catalog does not hold) the production org's child of that
name, case aside."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from catalog.orgs.models import OrgKind, SalesforceOrg


class RegisteredOrgs:
    def __init__(self, orgs: Iterable[SalesforceOrg]) -> None:
        self._by_org_id: dict[str, SalesforceOrg] = {}
        self._by_name: dict[tuple[uuid.UUID, str], SalesforceOrg] = {}
        for org in sorted(orgs, key=lambda org: str(org.id)):
            self._by_org_id[org.org_id] = org
            if org.parent_id is not None and org.kind is OrgKind.SANDBOX:
                self._by_name.setdefault((org.parent_id, org.name.casefold()), org)

    def by_org_id(self, org_id: str | None) -> SalesforceOrg | None:
        return self._by_org_id.get(org_id) if org_id else None

    def sandbox(
        self, org_id: str | None, *, parent_id: uuid.UUID, name: str
    ) -> SalesforceOrg | None:
        found = self.by_org_id(org_id)
        if found is not None:
            return found
        return self._by_name.get((parent_id, name.casefold()))
