"""What an import reads (entries, the same for every format) and what it reports per record."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ImportFormat(StrEnum):
    BACKSTAGE = "BACKSTAGE"
    CSV = "CSV"


class Target(StrEnum):
    """What an entry becomes in the catalog; the order is the order of the first pass."""

    BUSINESS_UNIT = "BUSINESS_UNIT"
    TEAM = "TEAM"
    SHARED_RESOURCE = "SHARED_RESOURCE"
    SERVICE = "SERVICE"
    PERSON = "PERSON"
    SYSTEM = "SYSTEM"


PASS_ORDER = tuple(Target)


class Outcome(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    REFUSED = "REFUSED"
    SKIPPED = "SKIPPED"


@dataclass(frozen=True)
class Ref:
    """A reference to another entry: a service by slug or a shared resource by name."""

    target: Target
    name: str
    text: str  # as the file wrote it, for messages


@dataclass
class Entry:
    """One record of the content, mapped to catalog terms but not checked against the database.

    `fields` holds only what the source says (a field it does not mention is left as it is);
    `problem` refuses the entry before anything is written."""

    source: str
    kind: str
    name: str
    target: Target | None
    fields: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None
    business_unit: str | None = None
    org_ids: list[str] | None = None
    depends_on: list[Ref] = field(default_factory=list)
    member_of: list[str] = field(default_factory=list)
    email: str | None = None
    note: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class RecordReport:
    source: str
    kind: str
    name: str
    outcome: Outcome
    reason: str | None = None
    changed_fields: tuple[str, ...] = ()

    def line(self) -> str:
        """`catalog-info.yaml#2 Component payments-api: UPDATED (tier)`."""
        text = f"{self.source} {self.kind} {self.name}: {self.outcome}"
        if self.changed_fields:
            text += f" ({', '.join(self.changed_fields)})"
        if self.reason:
            text += f": {self.reason}"
        return text


@dataclass(frozen=True)
class ImportReport:
    records: tuple[RecordReport, ...]
    dry_run: bool

    def count(self, outcome: Outcome) -> int:
        return sum(1 for record in self.records if record.outcome is outcome)

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(outcome)} {outcome.lower()}" for outcome in Outcome)
        prefix = "dry run, nothing written: " if self.dry_run else ""
        return f"{prefix}{len(self.records)} records: {counts}"

    def audit_details(self) -> dict[str, Any]:
        """What the audit log keeps: the counts and every record that changed or was refused."""
        return {
            "dryRun": self.dry_run,
            "counts": {outcome.value: self.count(outcome) for outcome in Outcome},
            "records": [
                {"kind": record.kind, "name": record.name, "outcome": record.outcome.value}
                for record in self.records
                if record.outcome in (Outcome.CREATED, Outcome.UPDATED, Outcome.REFUSED)
            ][:500],
        }
