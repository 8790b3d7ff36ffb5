"""Relay cursor connections over keyset pages."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, ParamSpec, TypeVar

import strawberry
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from core.pagination import (
    InvalidPageRequest,
    KeysetOrder,
    Page,
    PageRequest,
    PageSizeExceeded,
    fetch_page,
)
from graphql_schema.compiled.declarations import PageSource
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput, PageSizeExceededError
from graphql_schema.prefetch import child_selections, is_selected, loader_options

Node = TypeVar("Node")
Result = TypeVar("Result")
Params = ParamSpec("Params")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo
    total_count_statement: strawberry.Private[Any]

    @strawberry.field(description="Counted only when selected.")
    async def total_count(self, info: Info) -> int:
        async with info.context.db() as session:
            return int(await session.scalar(self.total_count_statement) or 0)

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[Node]:
        return [edge.node for edge in self.edges]


# The Relay paging arguments, declared once (the fields of `PageRequest`): every connection
# field takes exactly these.
PAGE_ARGUMENTS = tuple(
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
    for name, annotation in (
        ("first", int | None),
        ("after", str | None),
        ("last", int | None),
        ("before", str | None),
    )
)


def paged(
    resolver: Callable[Params, Awaitable[Result]],
) -> Callable[..., Awaitable[Result]]:
    """A connection field's resolver taking the paging arguments as one `page: PageRequest`.

    The schema shows `first`, `after`, `last` and `before` where the resolver declares
    `page`; the resolver is called with them gathered into its `page`.
    """
    signature = inspect.signature(resolver)
    names = list(signature.parameters)
    if "page" not in names:
        raise TypeError(f"{resolver.__qualname__} takes no `page` to fill")
    at = names.index("page")
    parameters = list(signature.parameters.values())
    parameters[at : at + 1] = PAGE_ARGUMENTS

    @functools.wraps(resolver)
    async def with_page(*args: Any, **kwargs: Any) -> Result:
        given = {argument.name: kwargs.pop(argument.name, None) for argument in PAGE_ARGUMENTS}
        return await resolver(*args, page=PageRequest(**given), **kwargs)  # type: ignore[arg-type]

    with_page.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters
    )
    annotations = dict(resolver.__annotations__)
    del annotations["page"]
    with_page.__annotations__ = {
        **annotations,
        **{parameter.name: parameter.annotation for parameter in PAGE_ARGUMENTS},
    }
    return with_page


def node_selections(info: Info) -> list[Any]:
    """What the caller selected on each node of the connection being resolved."""
    top = info.selected_fields[0].selections
    return child_selections(top, "edges", "node") + child_selections(top, "nodes")


async def paginate(
    info: Info,
    statement: Select[Any],
    *,
    type_name: str,
    convert: Callable[[Any], Node],
    order: KeysetOrder,
    request: PageRequest,
    fingerprint_parts: Sequence[Any] = (),
    extra_options: Sequence[ORMOption] = (),
) -> Connection[Node]:
    """One page of `statement`, with the selected relations prefetched in one statement each."""
    options = [*loader_options(node_selections(info), type_name), *extra_options]
    try:
        async with info.context.db() as session:
            page = await fetch_page(
                session,
                statement.options(*options),
                order=order,
                request=request,
                # A cursor is only good for the connection field that made it.
                fingerprint_parts=[info.field_name, type_name, *fingerprint_parts],
            )
    except PageSizeExceeded as error:
        raise PageSizeExceededError(str(error)) from None
    except InvalidPageRequest as error:
        raise BadUserInput(str(error)) from None
    return _connection(page, convert)


def _connection(page: Page[Any], convert: Callable[[Any], Node]) -> Connection[Node]:
    edges = [
        Edge(cursor=cursor, node=convert(row))
        for row, cursor in zip(page.rows, page.cursors, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        total_count_statement=page.count_statement,
    )


async def paginate_source(info: Info, source: PageSource, request: PageRequest) -> Connection[Any]:
    """`paginate` over a declared page source (the one the compiled path pages over too)."""
    return await paginate(
        info,
        source.statement,
        type_name=source.type_name,
        convert=source.convert,
        order=source.order,
        request=request,
        fingerprint_parts=source.fingerprint_parts,
    )


async def load_selected(
    info: Info,
    loader: Callable[[AsyncSession, Sequence[ORMOption]], Awaitable[Any]],
    type_name: str,
) -> Any:
    """Load a single object with the relations its selection needs."""
    options = loader_options(info.selected_fields[0].selections, type_name)
    async with info.context.db() as session:
        return await loader(session, options)


__all__ = [
    "Connection",
    "Edge",
    "PageInfo",
    "is_selected",
    "load_selected",
    "paged",
    "paginate",
    "paginate_source",
]
