"""The AI-model fields of `Service`, kept out of catalog/services/types.py: `Service` inherits
them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graphql_schema.context import Info

if TYPE_CHECKING:
    from graphql_schema.catalog.ai_models.types import AIModel

_AI_MODELS = "graphql_schema.catalog.ai_models.types"


@strawberry.type
class ServiceAIModelFields:
    model: strawberry.Private[Any]

    @strawberry.field(description="The AI models the service uses for decisions, by name.")
    async def ai_models(self, info: Info) -> list[Annotated[AIModel, strawberry.lazy(_AI_MODELS)]]:
        from graphql_schema.catalog.ai_models.loaders import ai_models_of
        from graphql_schema.catalog.ai_models.types import AIModel

        return [AIModel.from_model(item) for item in await ai_models_of(info, self.model)]

    @strawberry.field(
        description="True when one of its AI models (not RETIRED) is overdue for evaluation"
        " or failing."
    )
    async def ai_models_attention(self, info: Info) -> bool:
        from graphql_schema.catalog.ai_models.loaders import attention_of

        return await attention_of(info, self.model.id)
