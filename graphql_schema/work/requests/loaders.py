"""`ServiceRequest.vendorCase`: the escalated Cases, read live, one query per org for a batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from salesforce.deadline import Deadline
from salesforce.gateway import SalesforceGateway
from work.requests.vendor import escalated_cases


async def vendor_cases(
    gateway: SalesforceGateway, ref: str, keys: Sequence[str], deadline: Deadline
) -> dict[str, Any]:
    return dict(await escalated_cases(gateway, ref, keys, deadline))
