"""The SOQL the gateway sends. Field names come from validated settings; values are quoted."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

# Salesforce caps a query's text (100,000 characters) and IN lists stay fast well below it.
CHUNK = 200


def quote(value: str) -> str:
    """A SOQL string literal."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f"'{escaped}'"


def in_list(values: Sequence[str]) -> str:
    return "(" + ", ".join(quote(value) for value in values) + ")"


def chunks(values: Sequence[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def open_cases(field: str, keys: Sequence[str]) -> str:
    return (
        f"SELECT Id, CaseNumber, Subject, Status, Priority, CreatedDate, {field} FROM Case"
        f" WHERE {field} IN {in_list(keys)} AND IsClosed = false ORDER BY CreatedDate DESC"
    )


def violated_milestones(field: str, keys: Sequence[str]) -> str:
    return (
        f"SELECT CaseId, Case.{field} FROM CaseMilestone"
        f" WHERE Case.{field} IN {in_list(keys)} AND IsViolated = true"
        " AND IsCompleted = false AND Case.IsClosed = false"
    )


IDEA_FIELDS = "Id, Title, Body, Status, VoteTotal, CreatedDate"


def ideas(field: str, keys: Sequence[str]) -> str:
    return (
        f"SELECT {IDEA_FIELDS}, {field} FROM Idea"
        f" WHERE {field} IN {in_list(keys)} ORDER BY VoteTotal DESC, CreatedDate DESC"
    )


def every_linked_idea(field: str) -> str:
    return f"SELECT {IDEA_FIELDS}, {field} FROM Idea WHERE {field} != null ORDER BY CreatedDate"


ACTIVE_USERS = (
    "SELECT COUNT() FROM User WHERE IsActive = true AND UserType = 'Standard'"
    " AND LastLoginDate = LAST_N_DAYS:30"
)
LICENSES = "SELECT Name, TotalLicenses, UsedLicenses FROM UserLicense WHERE Status = 'Active'"
LOGINS = "SELECT COUNT() FROM LoginHistory WHERE LoginTime = LAST_N_DAYS:30 AND Status = 'Success'"
