"""AI models a service uses for decisions, and the evaluations that keep them honest."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.services.models import DataClassification, Service
from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from core.search import index_search, search_vector_column
from identity.models import Person, enum_column


class AIModelStatus(StrEnum):
    PROPOSED = "PROPOSED"
    APPROVED = "APPROVED"
    SUSPENDED = "SUSPENDED"
    RETIRED = "RETIRED"


class EvaluationKind(StrEnum):
    ACCURACY = "ACCURACY"
    FAIRNESS = "FAIRNESS"
    DRIFT = "DRIFT"
    SAFETY = "SAFETY"


class EvaluationComparator(StrEnum):
    """How the value is held to the threshold: it passes AT_LEAST or AT_MOST it."""

    AT_LEAST = "AT_LEAST"
    AT_MOST = "AT_MOST"


class AIModel(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A model a service uses for decisions; reviewed by evaluations at its cadence."""

    __tablename__ = "ai_model"
    __table_args__ = (
        UniqueConstraint("service_id", "name"),
        CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint("evaluation_cadence_days BETWEEN 1 AND 366", name="cadence_range"),
        CheckConstraint("review_interval_days > 0", name="review_interval_positive"),
        Index("ix_ai_model_name_id", "name", "id"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, server_default="")
    search_vector: Mapped[str] = search_vector_column(a="name", c="purpose")
    owner_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"), index=True)
    learns_from_live_data: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    input_classification: Mapped[DataClassification] = mapped_column(
        enum_column(DataClassification, "data_classification")
    )
    status: Mapped[AIModelStatus] = mapped_column(
        enum_column(AIModelStatus, "ai_model_status"), server_default=AIModelStatus.PROPOSED.value
    )
    evaluation_cadence_days: Mapped[int] = mapped_column(Integer, server_default=text("90"))
    # The owner review (confirmReview): is the register's entry still true?
    review_interval_days: Mapped[int] = mapped_column(Integer, server_default=text("180"))
    last_reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    service: Mapped[Service] = relationship(lazy="raise")
    owner_person: Mapped[Person | None] = relationship(lazy="raise")


class Evaluation(UUIDPrimaryKey, Base):
    """One evaluation of a model: a metric's value held to a threshold. Append-only."""

    __tablename__ = "ai_model_evaluation"
    __table_args__ = (
        Index("ix_ai_model_evaluation_model_id_kind_at", "model_id", "kind", "evaluated_at"),
        Index("ix_ai_model_evaluation_model_id_at_id", "model_id", "evaluated_at", "id"),
    )

    model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_model.id", ondelete="CASCADE"))
    kind: Mapped[EvaluationKind] = mapped_column(enum_column(EvaluationKind, "evaluation_kind"))
    metric: Mapped[str] = mapped_column(String(100))
    comparator: Mapped[EvaluationComparator] = mapped_column(
        enum_column(EvaluationComparator, "evaluation_comparator")
    )
    threshold: Mapped[float] = mapped_column(Float)
    value: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    dataset_ref: Mapped[str | None] = mapped_column(String(500))
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    evaluator: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )

    model: Mapped[AIModel] = relationship(lazy="raise")


index_search(AIModel, "name")
