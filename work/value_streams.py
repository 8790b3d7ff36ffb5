"""The IT4IT value streams a piece of work belongs to (requests, incidents, backlog items),
and which one a backlog item serves, read from what it is and where it came from (items
store no value stream of their own). Pure."""

from __future__ import annotations

from enum import StrEnum

from core.errors import Invalid
from work.backlog.models import BacklogItemType


class ValueStream(StrEnum):
    REQUEST_TO_FULFIL = "REQUEST_TO_FULFIL"
    DETECT_TO_CORRECT = "DETECT_TO_CORRECT"
    # The backlog's stream (items shipped by releases): a stage of the flow metrics, never a
    # tag on a request or an incident.
    REQUIREMENT_TO_DEPLOY = "REQUIREMENT_TO_DEPLOY"


# What a request or an incident may be tagged with.
TAGS = frozenset({ValueStream.REQUEST_TO_FULFIL, ValueStream.DETECT_TO_CORRECT})
# Work that corrects something broken in a running service.
CORRECTIVE = frozenset(
    {BacklogItemType.DEFECT, BacklogItemType.HOTFIX, BacklogItemType.VULNERABILITY}
)
RULE = (
    "DETECT_TO_CORRECT for DEFECT, HOTFIX and VULNERABILITY items and for items raised from an"
    " incident; REQUEST_TO_FULFIL for the others."
)


def item_value_stream(item_type: BacklogItemType, source_type: str | None) -> ValueStream:
    """DETECT_TO_CORRECT for corrective work and incident follow-ups; REQUEST_TO_FULFIL else."""
    if BacklogItemType(item_type) in CORRECTIVE or source_type == "INCIDENT":
        return ValueStream.DETECT_TO_CORRECT
    return ValueStream.REQUEST_TO_FULFIL


def work_tag(value: str | None) -> ValueStream | None:
    """A request's or an incident's tag: REQUIREMENT_TO_DEPLOY is refused (INVALID)."""
    if value is None:
        return None
    stream = ValueStream(value)
    if stream not in TAGS:
        raise Invalid(
            "valueStream: requests and incidents are REQUEST_TO_FULFIL or DETECT_TO_CORRECT;"
            f" {stream.value} is the backlog's stream",
            field=["valueStream"],
        )
    return stream
