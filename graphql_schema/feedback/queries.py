"""Feedback queries: lists and the priority ranking."""

from __future__ import annotations

import strawberry

from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from feedback import models, repository
from graphql_schema.compiled.declarations import PageSource, RootPage, declare_root
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.feedback.inputs import FeedbackFilter
from graphql_schema.feedback.types import Feedback
from graphql_schema.node import decode_id

_SCOPE_TYPES = {
    repository.RankingScope.SERVICE: "Service",
    repository.RankingScope.TEAM: "Team",
    repository.RankingScope.BUSINESS_UNIT: "BusinessUnit",
}


def _filter(given: FeedbackFilter | None) -> repository.FeedbackFilter:
    if given is None:
        return repository.FeedbackFilter()
    try:
        service_id = (
            decode_id(given.service_id, "Service", field="serviceId") if given.service_id else None
        )
        author_id = (
            decode_id(given.author_id, "Person", field="authorId") if given.author_id else None
        )
    except DomainError as error:
        raise BadUserInput(f"filter.{error.message}") from None
    return repository.FeedbackFilter(
        service_id=service_id,
        author_id=author_id,
        statuses=tuple(given.statuses or ()),
        kinds=tuple(given.kinds or ()),
    )


def feedback_page(filter: FeedbackFilter | None = None) -> PageSource:
    """What `feedback` pages over, for its resolver and for the compiled path alike."""
    feedback_filter = _filter(filter)
    return PageSource(
        repository.feedback_query(feedback_filter),
        KeysetOrder(
            models.Feedback.created_at, models.Feedback.id, descending=True, name="CREATED_AT"
        ),
        "Feedback",
        Feedback.from_model,
        [repr(feedback_filter)],
    )


def feedback_ranking_page(
    scope: repository.RankingScope, scope_id: strawberry.ID | None = None
) -> PageSource:
    """What `feedbackRanking` pages over, for its resolver and for the compiled path alike."""
    key = None
    if scope is not repository.RankingScope.ORGANISATION:
        if scope_id is None:
            raise BadUserInput(f"scopeId is required for the {scope} scope")
        try:
            key = decode_id(scope_id, _SCOPE_TYPES[scope], field="scopeId")
        except DomainError as error:
            raise BadUserInput(error.message) from None
    return PageSource(
        repository.ranking_query(scope, key),
        KeysetOrder(models.Feedback.score, models.Feedback.id, descending=True, name="SCORE"),
        "Feedback",
        Feedback.from_model,
        [scope.value, str(key)],
    )


@strawberry.type
class FeedbackQuery:
    @strawberry.field(description="Feedback, newest first.")
    @paged
    async def feedback(
        self,
        info: Info,
        filter: FeedbackFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[Feedback]:
        return await paginate_source(info, feedback_page(filter), page)

    @strawberry.field(
        description="Open feedback by priority score, highest first; pages stay stable."
    )
    @paged
    async def feedback_ranking(
        self,
        info: Info,
        scope: repository.RankingScope,
        scope_id: strawberry.ID | None = None,
        *,
        page: PageRequest,
    ) -> Connection[Feedback]:
        return await paginate_source(info, feedback_ranking_page(scope, scope_id), page)


declare_root("feedback", RootPage(feedback_page))
declare_root("feedbackRanking", RootPage(feedback_ranking_page))
