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
        "VoteScore",
        "NumComments",
        "CreatedDate",
        "LastModifiedDate",
        "Service__c",
    ),
    "Vote": ("Id", "ParentId", "Type", "IsDeleted", "CreatedById", "CreatedDate"),
    "IdeaComment": ("Id", "IdeaId", "CommentBody", "IsHtml", "CreatedById", "CreatedDate"),
    "User": (
        "Id",
        "Username",
        "Name",
        "Email",
        "FederationIdentifier",
        "IsActive",
        "UserType",
        "ProfileId",
        "LastLoginDate",
    ),
    "Profile": ("Id", "Name", "UserLicenseId", "UserType"),
    # One per user: the freeze and lock-out switches an admin sets on the user's login.
    "UserLogin": ("Id", "UserId", "IsFrozen", "IsPasswordLocked", "LastModifiedDate"),
    "UserLicense": ("Id", "Name", "MasterLabel", "Status", "TotalLicenses", "UsedLicenses"),
    "LoginHistory": (
        "Id",
        "UserId",
        "LoginTime",
        "LoginType",
        "Status",
        "SourceIp",
        "LoginGeoId",
        "Platform",
    ),
    # Where a login came from, as Salesforce geolocates it (LoginHistory.LoginGeoId).
    "LoginGeo": (
        "Id",
        "Country",
        "CountryIso",
        "City",
        "Subdivision",
        "Latitude",
        "Longitude",
        "LoginTime",
    ),
    "PermissionSet": ("Id", "Name", "Label", "IsOwnedByProfile"),
    "PermissionSetAssignment": ("Id", "AssigneeId", "PermissionSetId"),
    # Event Monitoring: one CSV log per event type and day (or hour); `LogFile` is the path of
    # its blob (GET .../sobjects/EventLogFile/{Id}/LogFile answers text/csv).
    "EventLogFile": (
        "Id",
        "EventType",
        "LogDate",
        "Interval",
        "LogFileLength",
        "LogFile",
        "LogFileContentType",
        "LogFileFieldNames",
        "Sequence",
        "CreatedDate",
    ),
    # Tooling API objects of a production org: its sandboxes and their copy processes.
    "SandboxInfo": (
        "Id",
        "SandboxName",
        "LicenseType",
        "Description",
        "SourceId",
        "CreatedDate",
        "LastModifiedDate",
    ),
    "SandboxProcess": (
        "Id",
        "SandboxInfoId",
        "SandboxName",
        "SandboxOrganization",
        "LicenseType",
        "Status",
        "SourceId",
        "StartDate",
        "EndDate",
        "CopyProgress",
    ),
    # A Dev Hub org's record of each scratch org it signed up.
    "ScratchOrgInfo": (
        "Id",
        "OrgName",
        "SignupUsername",
        "ScratchOrg",
        "Edition",
        "Status",
        "ExpirationDate",
        "CreatedDate",
        "CreatedById",
    ),
}
# Relationship name -> (the lookup field holding the id, the object it points to).
RELATIONSHIPS: dict[str, dict[str, tuple[str, str]]] = {
    "Case": {"Owner": ("OwnerId", "User")},
    "CaseMilestone": {"Case": ("CaseId", "Case")},
    "LoginHistory": {"User": ("UserId", "User"), "LoginGeo": ("LoginGeoId", "LoginGeo")},
    "PermissionSetAssignment": {
        "PermissionSet": ("PermissionSetId", "PermissionSet"),
        "Assignee": ("AssigneeId", "User"),
    },
    "User": {"Profile": ("ProfileId", "Profile")},
    "Profile": {"UserLicense": ("UserLicenseId", "UserLicense")},
    "SandboxProcess": {"SandboxInfo": ("SandboxInfoId", "SandboxInfo")},
    "ScratchOrgInfo": {"CreatedBy": ("CreatedById", "User")},
    "Vote": {"Parent": ("ParentId", "Idea"), "CreatedBy": ("CreatedById", "User")},
    "IdeaComment": {"Idea": ("IdeaId", "Idea"), "CreatedBy": ("CreatedById", "User")},
}
# Polymorphic lookups (a Vote's Parent may be an Idea, a Reply, an article): in SOQL,
# `Parent.Type` names the object the id points to.
POLYMORPHIC: dict[str, frozenset[str]] = {"Vote": frozenset({"Parent"})}
# The three-character key prefix of each object's ids.
KEY_PREFIXES = {
    "Case": "500",
    "CaseMilestone": "5Mx",
    "Idea": "087",
    "User": "005",
    "UserLicense": "100",
    "LoginHistory": "0Ya",
    "Profile": "00e",
    "UserLogin": "060",
    "SandboxInfo": "0GQ",
    "SandboxProcess": "0GR",
    "ScratchOrgInfo": "2SR",
    "Vote": "00E",
    "IdeaComment": "00a",
    "LoginGeo": "04F",
    "PermissionSet": "0PS",
    "PermissionSetAssignment": "0Pa",
    "EventLogFile": "0AT",
}
# Objects only the Tooling API serves (`/tooling/query`); the data API refuses them, and
# the Tooling API refuses the data objects, as INVALID_TYPE.
TOOLING_OBJECTS = frozenset({"SandboxInfo", "SandboxProcess"})
DATETIME_FIELDS = frozenset(
    {"CreatedDate", "ClosedDate", "StartDate", "TargetDate", "CompletionDate"}
    | {"LastLoginDate", "LoginTime"}
    | {"LastModifiedDate", "EndDate"}
    | {"LogDate"}
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
