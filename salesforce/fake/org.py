"""One fake org: its records, its API allowance and the switches that make it misbehave."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from salesforce.fake import evaluate, ideas
from salesforce.fake.schema import (
    CLOSED_STATUSES,
    DATETIME_FIELDS,
    FIELDS,
    RELATIONSHIPS,
    TOOLING_OBJECTS,
    new_id,
)
from salesforce.fake.soql import BoolOp, InList, MalformedQuery, Not, Query, parse

Record = dict[str, Any]


class Fault(Exception):
    """An error Salesforce answers with: its status and a body `[{message, errorCode}]`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> list[dict[str, Any]]:
        return [{"message": self.message, "errorCode": self.code}]


class FakeOrg:
    """Records by object and id, in insertion order; safe to use from several threads."""

    def __init__(
        self,
        org_id: str,
        name: str,
        *,
        username: str = "integration@catalog.test",
        api_max: int = 15_000,
        custom_fields: Mapping[str, tuple[str, ...]] | None = None,
        dev_hub: bool = False,
        event_monitoring: bool = True,
    ) -> None:
        self.org_id = org_id
        self.name = name
        self.username = username
        self.api_max = api_max
        # Only a Dev Hub org knows ScratchOrgInfo; any other answers INVALID_TYPE.
        self.dev_hub = dev_hub
        # Without the Event Monitoring licence an org does not know EventLogFile.
        self.event_monitoring = event_monitoring
        # The CSV lines of each EventLogFile's blob, made when it is read (salesforce/fake/
        # event_logs.py): a quarter of logs never sits in memory.
        self.log_files: dict[str, Callable[[], Iterable[str]]] = {}
        self.api_used = 0
        # Switches: seconds to wait before answering; answer 503; refuse every call.
        self.slow_s = 0.0
        self.failing = False
        self.fail_next = 0  # answer the next n data calls with 503, then recover
        self.fields = {
            name: fields + tuple((custom_fields or {}).get(name, ()))
            for name, fields in FIELDS.items()
        }
        self.records: dict[str, dict[str, Record]] = {name: {} for name in FIELDS}
        self.lock = threading.RLock()
        self._case_numbers = itertools.count(1001)

    # -- switches -------------------------------------------------------------------

    def exhaust(self) -> None:
        """Out of API calls: every data call is refused with REQUEST_LIMIT_EXCEEDED."""
        self.api_used = self.api_max

    def heal(self) -> None:
        self.slow_s, self.failing, self.fail_next = 0.0, False, 0
        self.api_used = min(self.api_used, self.api_max - 1)

    def fails_now(self) -> bool:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
            return self.failing

    def count_call(self) -> None:
        with self.lock:
            if self.api_used >= self.api_max:
                raise Fault(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            self.api_used += 1

    def limit_info(self) -> str:
        return f"api-usage={self.api_used}/{self.api_max}"

    # -- schema ---------------------------------------------------------------------

    def object_name(self, name: str) -> str:
        for known in self.fields:
            if known.lower() == name.lower():
                return known
        raise Fault(400, "INVALID_TYPE", f"sObject type '{name}' is not supported.")

    def knows(self, object_name: str) -> bool:
        """Whether this org's edition and licences include the object."""
        if object_name == "ScratchOrgInfo":
            return self.dev_hub
        if object_name == "EventLogFile":
            return self.event_monitoring
        return True

    def field_name(self, object_name: str, name: str) -> str:
        for known in self.fields[object_name]:
            if known.lower() == name.lower():
                return known
        raise Fault(400, "INVALID_FIELD", f"No such column '{name}' on entity '{object_name}'.")

    def path(self, object_name: str, path: str) -> tuple[str, ...]:
        """The canonical spelling of a (relationship) field path, or INVALID_FIELD."""
        *relations, last = path.split(".")
        canonical: list[str] = []
        current = object_name
        if ideas.is_polymorphic_type(object_name, (*relations, last)):
            return (relations[0].capitalize(), "Type")
        for relation in relations:
            known = {name.lower(): name for name in RELATIONSHIPS.get(current, {})}
            if relation.lower() not in known:
                raise Fault(
                    400, "INVALID_FIELD", f"Didn't understand relationship '{relation}' in {path}."
                )
            canonical.append(known[relation.lower()])
            current = RELATIONSHIPS[current][canonical[-1]][1]
        return (*canonical, self.field_name(current, last))

    def resolve(self, object_name: str, record: Record | None, path: tuple[str, ...]) -> Any:
        if record is None:
            return None
        if len(path) == 1:
            return record.get(path[0])
        lookup, target = RELATIONSHIPS[object_name][path[0]]
        if ideas.is_polymorphic_type(object_name, path):
            return ideas.object_of_id(record.get(lookup))
        related = self.records[target].get(record.get(lookup) or "")
        return self.resolve(target, related, path[1:])

    # -- writes ---------------------------------------------------------------------

    def _values(self, object_name: str, values: Mapping[str, Any]) -> Record:
        record: Record = {}
        for name, value in values.items():
            field = self.field_name(object_name, name)
            if field in DATETIME_FIELDS and isinstance(value, str):
                value = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
            record[field] = value
        return record

    def add(self, object_name: str, **values: Any) -> Record:
        """Store a record as a user would create it: an id, defaults, a case number."""
        with self.lock:
            record = self._values(object_name, values)
            record = dict.fromkeys(self.fields[object_name]) | record
            record["Id"] = record.get("Id") or new_id(object_name)
            if "CreatedDate" in record and record["CreatedDate"] is None:
                record["CreatedDate"] = datetime.now(UTC)
            if object_name == "Case":
                record["CaseNumber"] = record["CaseNumber"] or f"{next(self._case_numbers):08d}"
                record["Status"] = record["Status"] or "New"
                record["IsClosed"] = record["Status"] in CLOSED_STATUSES
            record = ideas.with_defaults(object_name, record)
            self._check_idea_child(object_name, record)
            self.records[object_name][record["Id"]] = record
            self._after_idea_child(object_name, record)
            return record

    def update(self, object_name: str, record_id: str, values: Mapping[str, Any]) -> None:
        """PATCH of a record by id: NOT_FOUND when there is none, computed fields refused."""
        with self.lock:
            record = self.records[object_name].get(record_id)
            if record is None:
                raise Fault(404, "NOT_FOUND", "The requested resource does not exist")
            changes = self._values(object_name, values)
            refused = ideas.read_only_fields(object_name, changes)
            if refused:
                raise Fault(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {', '.join(refused)}. Please check the"
                    " security settings of this field and verify that it is read/write for"
                    " your profile or permission set.",
                )
            record.update(changes)
            if "LastModifiedDate" in record:
                record["LastModifiedDate"] = datetime.now(UTC)

    def _check_idea_child(self, object_name: str, record: Record) -> None:
        parent_field = {"Vote": "ParentId", "IdeaComment": "IdeaId"}.get(object_name)
        if parent_field is None:
            return
        if record.get(parent_field) not in self.records["Idea"]:
            raise Fault(
                400,
                "INVALID_CROSS_REFERENCE_KEY",
                f"invalid cross reference id: {parent_field}",
            )
        if object_name == "Vote" and record.get("Type") not in ideas.VOTE_TYPES:
            raise Fault(
                400,
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"Vote Type: bad value for restricted picklist field: {record.get('Type')}",
            )

    def _after_idea_child(self, object_name: str, record: Record) -> None:
        if object_name == "Vote":
            idea = self.records["Idea"][record["ParentId"]]
            votes = [v for v in self.records["Vote"].values() if v["ParentId"] == idea["Id"]]
            ideas.recount(idea, votes)
        elif object_name == "IdeaComment":
            idea = self.records["Idea"][record["IdeaId"]]
            idea["NumComments"] = (idea.get("NumComments") or 0) + 1

    def upsert(
        self, object_name: str, field: str, value: str, values: Mapping[str, Any]
    ) -> tuple[str, bool]:
        """Create or update the record whose external id `field` is `value`: (id, created)."""
        with self.lock:
            field = self.field_name(object_name, field)
            found = [r for r in self.records[object_name].values() if r.get(field) == value]
            if len(found) > 1:
                raise Fault(300, "MULTIPLE_CHOICES", f"more than one record has {field} {value}")
            if found:
                found[0].update(self._values(object_name, values))
                return found[0]["Id"], False
            return self.add(object_name, **{**values, field: value})["Id"], True

    # -- reads ----------------------------------------------------------------------

    def query(self, soql: str, version: str, *, tooling: bool = False) -> tuple[int, list[Record]]:
        """(totalSize, records shaped as the REST API returns them); `tooling` for the
        Tooling API's `/tooling/query`, which serves the objects the data API does not."""
        try:
            query = parse(soql)
        except MalformedQuery as error:
            raise Fault(400, "MALFORMED_QUERY", str(error)) from None
        object_name = self.object_name(query.object_name)
        served = (object_name in TOOLING_OBJECTS) == tooling
        if not served or not self.knows(object_name):
            raise Fault(
                400, "INVALID_TYPE", f"sObject type '{query.object_name}' is not supported."
            )
        if object_name == "Vote" and ideas.vote_filter_missing(query):
            raise Fault(400, "MALFORMED_QUERY", ideas.VOTE_FILTER_MESSAGE)
        paths = [self.path(object_name, field) for field in query.fields]
        self._check_paths(object_name, query)

        def resolve(record: Record, path: tuple[str, ...]) -> Any:
            return self.resolve(object_name, record, self.path(object_name, ".".join(path)))

        with self.lock:
            found = evaluate.select(query, list(self.records[object_name].values()), resolve)
            if query.count:
                return len(found), []
            shaped = [self._shape(object_name, record, paths, version) for record in found]
        return len(shaped), shaped

    def _check_paths(self, object_name: str, query: Query) -> None:
        """Unknown fields are refused whether or not any record would be read."""
        for item in query.order_by:
            self.path(object_name, item.field)
        pending = [query.where] if query.where is not None else []
        while pending:
            condition = pending.pop()
            if isinstance(condition, BoolOp):
                pending.extend(condition.parts)
            elif isinstance(condition, Not):
                pending.append(condition.part)
            else:
                path = self.path(object_name, condition.field)
                values = condition.values if isinstance(condition, InList) else (condition.value,)
                if path[-1] in DATETIME_FIELDS and any(isinstance(v, str) for v in values):
                    raise Fault(
                        400,
                        "INVALID_FIELD",
                        f"value of filter criterion for field '{path[-1]}' must be of type"
                        " dateTime and should not be enclosed in quotes",
                    )

    def _shape(
        self, object_name: str, record: Record, paths: list[tuple[str, ...]], version: str
    ) -> Record:
        shaped = self._attributes(object_name, record, version)
        for path in paths:
            node, current = shaped, object_name
            source: Record | None = record
            for relation in path[:-1]:
                lookup, target = RELATIONSHIPS[current][relation]
                source = self.records[target].get(source.get(lookup) or "") if source else None
                if source is None:
                    node[relation] = None
                    break
                node = node.setdefault(relation, self._attributes(target, source, version))
                current = target
            else:
                node[path[-1]] = evaluate.to_json(source.get(path[-1]) if source else None)
        return shaped

    @staticmethod
    def _attributes(object_name: str, record: Record, version: str) -> Record:
        api = "tooling/sobjects" if object_name in TOOLING_OBJECTS else "sobjects"
        url = f"/services/data/v{version}/{api}/{object_name}/{record['Id']}"
        return {"attributes": {"type": object_name, "url": url}}
