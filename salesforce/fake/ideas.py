"""What a real org does around Ideas: Vote's query restriction, vote totals kept by the
platform, fields nobody may write, and `Parent.Type` on a Vote's polymorphic parent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from salesforce.fake.schema import KEY_PREFIXES, POLYMORPHIC
from salesforce.fake.soql import BoolOp, Comparison, Condition, InList, Query

Record = dict[str, Any]
# Each promote adds ten points to an Idea's VoteTotal, each demote takes ten away.
POINTS_PER_VOTE = 10
VOTE_TYPES = frozenset({"Up", "Down"})
# Fields the platform computes: an update naming one is refused.
READ_ONLY = {
    "Idea": frozenset({"VoteTotal", "VoteScore", "NumComments", "CreatedDate", "LastModifiedDate"}),
}
VOTE_FILTER_MESSAGE = (
    "Implementation restriction: When querying the Vote object, you must filter using the"
    " following syntax: ParentId = [single ID], Parent.Type = [single Type], Id = [single ID],"
    " or Id IN [list of ID's]."
)


def _top_level(condition: Condition | None) -> list[Condition]:
    if condition is None:
        return []
    if isinstance(condition, BoolOp) and condition.op == "AND":
        return [part for part in condition.parts for part in _top_level(part)]
    return [condition]


def _restricts(condition: Condition) -> bool:
    if isinstance(condition, Comparison) and condition.op == "=":
        return condition.field.lower() in ("parentid", "parent.type", "id")
    return (
        isinstance(condition, InList) and not condition.negated and condition.field.lower() == "id"
    )


def vote_filter_missing(query: Query) -> bool:
    """A Vote query must be narrowed, at its top level, by parent, parent type or ids."""
    return not any(_restricts(condition) for condition in _top_level(query.where))


def object_of_id(record_id: str | None) -> str | None:
    prefix = (record_id or "")[:3]
    return next((name for name, known in KEY_PREFIXES.items() if known == prefix), None)


def is_polymorphic_type(object_name: str, path: tuple[str, ...]) -> bool:
    return (
        len(path) == 2
        and path[0] in POLYMORPHIC.get(object_name, frozenset())
        and path[1].lower() == "type"
    )


def read_only_fields(object_name: str, values: Mapping[str, Any]) -> list[str]:
    return [name for name in values if name in READ_ONLY.get(object_name, frozenset())]


def with_defaults(object_name: str, record: Record) -> Record:
    """A new Idea as the platform creates it: no votes, modified when created."""
    if object_name == "Idea":
        record["VoteTotal"] = record.get("VoteTotal") or 0
        record["VoteScore"] = record.get("VoteScore") or float(record["VoteTotal"])
        record["NumComments"] = record.get("NumComments") or 0
        record["LastModifiedDate"] = record.get("LastModifiedDate") or record.get("CreatedDate")
    if object_name == "Vote":
        record["IsDeleted"] = bool(record.get("IsDeleted"))
    return record


def recount(idea: Record, votes: list[Record]) -> None:
    """The Idea's totals after a vote: points, score (no decay in the fake), modified now."""
    ups = sum(1 for vote in votes if vote["Type"] == "Up")
    downs = len(votes) - ups
    idea["VoteTotal"] = POINTS_PER_VOTE * (ups - downs)
    idea["VoteScore"] = float(idea["VoteTotal"])
    idea["LastModifiedDate"] = datetime.now(UTC)
