"""DataLoaders of the live Salesforce fields: one query per org and object for a whole batch.

Keys are (credentials reference, service key). A batch is split by org; each org is asked
once, all orgs at the same time, within the request's single Salesforce deadline. A
failing org fails only its own keys: the error becomes the field's GraphQL error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from graphql_schema.context import Context
from graphql_schema.errors import CodedError
from salesforce.deadline import Deadline
from salesforce.errors import SalesforceError
from salesforce.gateway import SalesforceGateway

Value = TypeVar("Value")
OrgKey = tuple[str, str]  # (credentials reference, service key)
BatchRead = Callable[[SalesforceGateway, str, Sequence[str], Deadline], Awaitable[dict[str, Any]]]


class SalesforceFieldError(CodedError):
    """A live field is null because its org failed; `extensions` name the code and the org."""

    def __init__(self, error: SalesforceError) -> None:
        super().__init__(str(error))
        self.extensions = {"code": error.code, "org": error.org_id}


def request_deadline(context: Context, gateway: SalesforceGateway) -> Deadline:
    """One CATALOG_SALESFORCE_TIMEOUT_S budget for every Salesforce call of the request."""
    if context.salesforce_deadline is None:
        context.salesforce_deadline = gateway.deadline()
    return context.salesforce_deadline


def org_batch(
    context: Context, gateway: SalesforceGateway, read: BatchRead
) -> Callable[[list[OrgKey]], Awaitable[list[Any]]]:
    """A batch over (org, key) pairs: each org asked once, all at the same time."""

    async def load(keys: list[OrgKey]) -> list[Any]:
        deadline = request_deadline(context, gateway)
        by_org: dict[str, list[str]] = {}
        for ref, key in keys:
            by_org.setdefault(ref, []).append(key)
        refs = list(by_org)
        answers = await asyncio.gather(
            *(read(gateway, ref, by_org[ref], deadline) for ref in refs), return_exceptions=True
        )
        found = dict(zip(refs, answers, strict=True))
        results: list[Any] = []
        for ref, key in keys:
            answer = found[ref]
            if isinstance(answer, SalesforceError):
                results.append(SalesforceFieldError(answer))
            elif isinstance(answer, BaseException):
                raise answer
            else:
                results.append(answer[key])
        return results

    return load


async def open_cases(
    gateway: SalesforceGateway, ref: str, keys: Sequence[str], deadline: Deadline
) -> dict[str, Any]:
    return await gateway.open_cases(ref, keys, deadline=deadline)


async def violated_case_ids(
    gateway: SalesforceGateway, ref: str, keys: Sequence[str], deadline: Deadline
) -> dict[str, Any]:
    return await gateway.violated_case_ids(ref, keys, deadline=deadline)


async def ideas(
    gateway: SalesforceGateway, ref: str, keys: Sequence[str], deadline: Deadline
) -> dict[str, Any]:
    return await gateway.ideas(ref, keys, deadline=deadline)


async def limits(
    gateway: SalesforceGateway, ref: str, keys: Sequence[str], deadline: Deadline
) -> dict[str, Any]:
    return {"": await gateway.limits(ref, deadline=deadline)}


async def adoption(
    gateway: SalesforceGateway, ref: str, keys: Sequence[str], deadline: Deadline
) -> dict[str, Any]:
    return {"": await gateway.adoption(ref, deadline=deadline)}


async def per_org(
    loader: DataLoader[OrgKey, Any] | None, refs: list[str], key: str
) -> list[tuple[str, Any]] | None:
    """What each connected org answered for `key` (None without a gateway); the first org's
    failure is raised."""
    if loader is None or not refs:
        return None
    answers = await asyncio.gather(
        *(loader.load((ref, key)) for ref in refs), return_exceptions=True
    )
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return list(zip(refs, answers, strict=True))
