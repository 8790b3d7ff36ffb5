"""Satisfaction: what services, teams and business units show of their feedback ratings."""

from __future__ import annotations

import strawberry


@strawberry.type(description="How satisfied people are, from feedback ratings in a window.")
class Satisfaction:
    mean_rating: float | None = strawberry.field(description="Mean rating, 1 to 5.")
    satisfied_share: float | None = strawberry.field(
        description="Share of ratings of 4 or 5, a fraction from 0 to 1."
    )
    ratings: int = strawberry.field(description="How many ratings the window holds.")
    days: int
