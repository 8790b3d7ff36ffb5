"""Inputs of `confirmReview`."""

from __future__ import annotations

import strawberry


@strawberry.input
class ConfirmReviewInput:
    id: strawberry.ID = strawberry.field(description="A service, SLA or AI model.")
