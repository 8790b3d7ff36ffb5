"""Service-level records: each service's clock policy (targets that override the tier's)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned


class ClockPolicy(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A service's own clock targets. `targets` maps a ClockSubject (`P1`, `SEV2`...) to
    `{"response": seconds, "resolution": seconds}`; a subject left out takes the tier's
    default (service_levels.policy_defaults)."""

    __tablename__ = "clock_policy"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), unique=True
    )
    targets: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
