"""The objects the fake knows: their fields, relationships and id prefixes, as in a real org."""

from __future__ import annotations

import itertools
import string
import threading

# Standard fields, plus the custom fields the catalog's defaults name (Service__c,
# Catalog_Request_Id__c); an org may add more with `FakeOrg(custom_fields=...)`.
FIELDS: dict[str, tuple[str, ...]] = {
    "Case": (
        "Id",
        "CaseNumber",
        "Subject",
        "Description",
        "Status",
        "Priority",
        "Origin",
        "IsClosed",
        "CreatedDate",
        "ClosedDate",
        "OwnerId",
        "Service__c",
        "Catalog_Request_Id__c",
    ),
    "CaseMilestone": (
        "Id",
        "CaseId",
        "MilestoneTypeId",
        "IsCompleted",
        "IsViolated",
        "StartDate",
        "TargetDate",
        "CompletionDate",
    ),
    "Idea": (
        "Id",
        "Title",
        "Body",
        "Status",
        "VoteTotal",
        "NumComments",
        "CreatedDate",
        "Service__c",
    ),
    "User": ("Id", "Username", "Name", "IsActive", "UserType", "LastLoginDate"),
    "UserLicense": ("Id", "Name", "MasterLabel", "Status", "TotalLicenses", "UsedLicenses"),
    "LoginHistory": ("Id", "UserId", "LoginTime", "LoginType", "Status"),
}
# Relationship name -> (the lookup field holding the id, the object it points to).
RELATIONSHIPS: dict[str, dict[str, tuple[str, str]]] = {
    "Case": {"Owner": ("OwnerId", "User")},
    "CaseMilestone": {"Case": ("CaseId", "Case")},
    "LoginHistory": {"User": ("UserId", "User")},
}
# The three-character key prefix of each object's ids.
KEY_PREFIXES = {
    "Case": "500",
    "CaseMilestone": "5Mx",
    "Idea": "087",
    "User": "005",
    "UserLicense": "100",
    "LoginHistory": "0Ya",
}
DATETIME_FIELDS = frozenset(
    {"CreatedDate", "ClosedDate", "StartDate", "TargetDate", "CompletionDate"}
    | {"LastLoginDate", "LoginTime"}
)
CLOSED_STATUSES = frozenset({"Closed"})

_ALPHABET = string.ascii_uppercase + "012345"
_counter = itertools.count(1)
_lock = threading.Lock()


def id_suffix(fifteen: str) -> str:
    """Salesforce's case-safe suffix: which of each five characters is upper case."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(fifteen[start : start + 5]) if char.isupper())
        suffix += _ALPHABET[bits]
    return suffix


def new_id(object_name: str, pod: str = "5g") -> str:
    """A fresh 18-character id for `object_name`."""
    with _lock:
        number = next(_counter)
    fifteen = f"{KEY_PREFIXES[object_name]}{pod}{number:010d}"
    return fifteen + id_suffix(fifteen)
