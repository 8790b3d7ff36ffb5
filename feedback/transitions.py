"""The feedback status table of SPEC.md, as data."""

from __future__ import annotations

from feedback.models import FeedbackStatus as S

# Moves a person may make with transitionFeedback. PLANNED comes only from promotion,
# DUPLICATE only from a merge, DELIVERED only when the linked item is released.
MANUAL = {
    S.NEW: {S.UNDER_REVIEW, S.DECLINED},
    S.UNDER_REVIEW: {S.DECLINED},
    S.PLANNED: {S.DECLINED},
}
PROMOTABLE = {S.NEW, S.UNDER_REVIEW}
MERGEABLE = {S.NEW, S.UNDER_REVIEW}
VOTABLE = {S.NEW, S.UNDER_REVIEW, S.PLANNED}
# Every next state of the table, for error messages.
TABLE = {
    S.NEW: (S.UNDER_REVIEW, S.DECLINED, S.DUPLICATE),
    S.UNDER_REVIEW: (S.PLANNED, S.DECLINED, S.DUPLICATE),
    S.PLANNED: (S.DELIVERED, S.DECLINED),
}


def allowed_next(status: S) -> tuple[S, ...]:
    return TABLE.get(status, ())
