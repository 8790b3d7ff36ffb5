"""The search across everything."""

from __future__ import annotations

import uuid
from typing import cast

import strawberry

from core.pagination import InvalidPageRequest, PageSizeExceeded
from graphql_schema.connection import PageInfo
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput, PageSizeExceededError
from graphql_schema.node import load_nodes
from graphql_schema.prefetch import child_selections
from graphql_schema.search import enums as _enums  # noqa: F401  (the enum, before its use)
from graphql_schema.search.types import TYPE_NAMES, SearchConnection, SearchHit, SearchResult
from service_levels.search import InvalidSearch, SearchKind, SearchRequest, search


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Services, teams, people, Salesforce orgs, requests, incidents, feedback, "
        "backlog items, releases, SLAs and AI models matching the query (web search syntax: "
        '"quoted phrase", -excluded, or), typos in names and titles forgiven; only what the '
        "caller may read (anonymous callers: the public catalog). `kinds` omitted or empty: "
        "every kind. The query holds 1 to 200 characters."
    )
    async def search(
        self,
        info: Info,
        query: str,
        kinds: list[SearchKind] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> SearchConnection:
        request = SearchRequest(
            query=query,
            kinds=frozenset(kinds or ()),
            anonymous=info.context.principal is None,
            first=first,
            after=after,
        )
        try:
            async with info.context.db() as session:
                page = await search(session, request)
        except PageSizeExceeded as error:
            raise PageSizeExceededError(str(error)) from None
        except (InvalidSearch, InvalidPageRequest) as error:
            raise BadUserInput(str(error)) from None
        by_type: dict[str, list[uuid.UUID]] = {}
        for hit in page.hits:
            by_type.setdefault(TYPE_NAMES[hit.kind], []).append(hit.id)
        top = info.selected_fields[0].selections
        selections = child_selections(top, "edges", "node") + child_selections(top, "nodes")
        nodes = await load_nodes(info, by_type, selections)
        edges = [
            SearchHit(
                cursor=hit.cursor, node=cast(SearchResult, node), rank=hit.rank, snippet=hit.snippet
            )
            for hit in page.hits
            if (node := nodes.get((TYPE_NAMES[hit.kind], hit.id))) is not None
        ]
        return SearchConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
