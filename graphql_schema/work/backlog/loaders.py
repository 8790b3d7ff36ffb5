"""`BacklogItem.source`: the feedback, request or incident an item answers, loaded in batches.

An item names its source by kind and id (no foreign key: the three live in different
packages), so a page of items cannot prefetch them as relations. Instead one DataLoader per
source type and selection loads every source the page names in one statement, together with
the relations selected on that member of the union.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.nodes import Selection

from core.repository import get_by_ids
from feedback.models import Feedback as FeedbackModel
from graphql_schema.access import is_public_type
from graphql_schema.context import Info
from graphql_schema.prefetch import loader_options
from work.incidents.models import Incident as IncidentModel
from work.requests.models import ServiceRequest as RequestModel

if TYPE_CHECKING:
    from work.backlog.models import BacklogItem as ItemModel

# A stored source type -> the union member and its model.
SOURCES: dict[str, tuple[str, type[Any]]] = {
    "FEEDBACK": ("Feedback", FeedbackModel),
    "REQUEST": ("ServiceRequest", RequestModel),
    "INCIDENT": ("Incident", IncidentModel),
}


SourceQuery = tuple[str, Sequence[Selection]]  # a stored source type, the selection below it


def source_key(query: SourceQuery) -> Hashable:
    """Loaders are shared only by identical selections of the same source type."""
    source_type, selections = query
    return source_type, _shape(selections)


async def sources(
    query: SourceQuery, session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    """One source type's rows, with the relations selected on that member of the union."""
    source_type, selections = query
    type_name, model = SOURCES[source_type]
    return await get_by_ids(session, model, keys, loader_options(selections, type_name))


def _shape(selections: Iterable[Selection]) -> tuple[Any, ...]:
    """What was selected, as a key: loaders are shared only by identical selections."""
    return tuple(
        (
            getattr(selection, "type_condition", None),
            getattr(selection, "name", None),
            getattr(selection, "alias", None),
            _shape(selection.selections),
        )
        for selection in selections
    )


def _convert(type_name: str, row: Any) -> Any:
    if type_name == "Feedback":
        from graphql_schema.feedback.types import Feedback

        return Feedback.from_model(row)
    if type_name == "ServiceRequest":
        from graphql_schema.work.requests.types import ServiceRequest

        return ServiceRequest.from_model(row)
    from graphql_schema.work.incidents.types import Incident

    return Incident.from_model(row)


async def load_source(info: Info, item: ItemModel) -> Any | None:
    """The item's source, batched with the other items' of the page; null when it has none."""
    source_type = item.source_type or ""
    if source_type not in SOURCES or item.source_id is None:
        return None
    type_name, _ = SOURCES[source_type]
    if info.context.principal is None and not is_public_type(type_name):
        return None
    selections = info.selected_fields[0].selections
    row = await info.context.loaders.backlog_sources[source_type, selections].load(item.source_id)
    return _convert(type_name, row) if row is not None else None
