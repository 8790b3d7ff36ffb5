"""Design reviews: a design authority's verdict on an item in review."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import Invalid
from core.records import require_found
from core.validation import text_field
from identity.permissions import require_role
from identity.principal import Principal, Role
from work.backlog import repository
from work.backlog.models import BacklogItemStatus, DesignReview, DesignReviewOutcome


async def record_design_review(
    session: AsyncSession,
    *,
    principal: Principal,
    item_id: uuid.UUID,
    outcome: DesignReviewOutcome,
    notes: str | None,
) -> DesignReview:
    """Record a DESIGN_AUTHORITY's verdict; the latest one decides whether the item may be DONE."""
    require_role(principal, Role.DESIGN_AUTHORITY, action="reviewing a design")
    item = require_found(
        (await repository.lock_items(session, [item_id])).get(item_id),
        what="backlog item",
        field="itemId",
    )
    if item.status is not BacklogItemStatus.IN_DESIGN_REVIEW:
        raise Invalid(
            f"only items IN_DESIGN_REVIEW are reviewed; this one is {item.status}",
            field=["itemId"],
        )
    review = DesignReview(
        id=uuid.uuid4(),
        item_id=item.id,
        outcome=DesignReviewOutcome(outcome),
        reviewer_id=principal.person_id,
        reviewer_actor=principal.actor,
        notes=text_field(notes or "", field="notes", max_length=10_000, required=False),
        # The wall clock, not the transaction's: two reviews in one transaction stay ordered.
        created_at=utcnow(),
    )
    session.add(review)
    await session.flush()
    return review
