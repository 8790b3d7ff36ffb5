"""The audit events of `export` and `import` (SPEC: both are audited).

Each is written once its work is done, in a transaction of its own: an export's event
comes after its snapshot, so it is not in the file it describes.
"""

from __future__ import annotations

import getpass
import json
from typing import Any

from identity.audit import AuditOutcome


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


async def audit_exchange(connection: Any, action: str, details: dict[str, Any]) -> None:
    """Append one event on a plain asyncpg connection, outside any transaction of it."""
    await connection.execute(
        "INSERT INTO audit_event (action, outcome, details) VALUES ($1, $2, $3::jsonb)",
        action,
        AuditOutcome.SUCCESS.value,
        json.dumps({"command": action.lower(), "os_user": _os_user(), **details}),
    )
