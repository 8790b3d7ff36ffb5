"""Feedback enums, exposed to GraphQL once, before any type uses them."""

import strawberry

from feedback.models import FeedbackChannel, FeedbackKind, FeedbackStatus
from feedback.repository import RankingScope

strawberry.enum(FeedbackKind, description="What kind of feedback it is.")
strawberry.enum(FeedbackChannel, description="Where the feedback came in.")
strawberry.enum(FeedbackStatus, description="Where the feedback is in triage.")
strawberry.enum(RankingScope, description="Where a ranking looks.")
