"""What the gateway raises: an org is unavailable, or out of API calls. Both name the org."""

from __future__ import annotations

from typing import Any

from simple_salesforce.exceptions import SalesforceError as ClientError


class SalesforceError(Exception):
    """A call to one org failed; `org_id` names it, the message never holds a secret."""

    code = "SALESFORCE_UNAVAILABLE"

    def __init__(self, org_id: str, message: str) -> None:
        super().__init__(f"Salesforce org {org_id}: {message}")
        self.org_id = org_id
        self.reason = message


class SalesforceUnavailable(SalesforceError):
    """Slow past the deadline, down, refusing us, or its circuit is open."""


class SalesforceLimitExceeded(SalesforceError):
    """The org has no API calls left (REQUEST_LIMIT_EXCEEDED)."""

    code = "SALESFORCE_LIMIT_EXCEEDED"


class SalesforceRejected(SalesforceUnavailable):
    """The org refused the request itself (a misconfigured field, a malformed query)."""


class Transient(SalesforceUnavailable):
    """Worth another try within the deadline: a refused connection, a 5xx."""


def error_code(error: ClientError) -> str | None:
    """The `errorCode` of a Salesforce error body `[{"message", "errorCode"}]`."""
    content: Any = error.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        code = content[0].get("errorCode")
        return str(code) if code is not None else None
    return None
