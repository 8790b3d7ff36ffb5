"""Reading history: the versions of one record, newest first."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select

from core.history import RecordVersion


def versions_query(record_id: uuid.UUID) -> Select[RecordVersion]:
    return select(RecordVersion).where(RecordVersion.record_id == record_id)
