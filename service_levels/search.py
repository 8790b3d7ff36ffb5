"""Search across everything: one statement over every searchable table the caller may read.

Each table keeps a weighted `search_vector` (core/search.py). A record matches when its
vector matches the query read as `websearch_to_tsquery` (quotes, `-`, `or`) in the
`english` or the `simple` configuration, or when the query is word-similar (pg_trgm
`<%`, similarity at least 0.6) to its name or title — typos and short strings. Its rank is
its `ts_rank` (title weighs most), or a tenth of that word similarity when only the
similarity found it; hits come by rank, then the most recently changed, then kind and id,
a keyset the opaque cursor carries.

What a caller may read is decided in the statement: anonymous callers search the public
catalog (services, teams, Salesforce org names) and signed-in callers every kind, as
`graphql_schema/access.py` lets them select; archived records are left out, as the lists
leave them out. Lives here, the lowest layer that may read every searched table.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    Select,
    String,
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from catalog.ai_models.models import AIModel
from catalog.orgs.models import SalesforceOrg
from catalog.services.models import Service
from core.pagination import PageRequest, fingerprint
from feedback.models import Feedback
from identity.models import Person, Team
from service_levels.models import Sla
from work.backlog.models import BacklogItem
from work.incidents.models import Incident
from work.releases.models import Release
from work.requests.models import ServiceRequest

MAX_QUERY_LENGTH = 200
# A record found only by its title's word similarity ranks at this share of that similarity.
TYPO_WEIGHT = 0.1
# ts_headline: the matches wrapped in <mark>, in 25 to 35 words of the body (all of a short
# one) around the best match.
HEADLINE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=25"


class SearchKind(StrEnum):
    SERVICE = "SERVICE"
    TEAM = "TEAM"
    PERSON = "PERSON"
    SALESFORCE_ORG = "SALESFORCE_ORG"
    REQUEST = "REQUEST"
    INCIDENT = "INCIDENT"
    FEEDBACK = "FEEDBACK"
    BACKLOG_ITEM = "BACKLOG_ITEM"
    RELEASE = "RELEASE"
    SLA = "SLA"
    AI_MODEL = "AI_MODEL"


# What anonymous callers may read: the public catalog (graphql_schema/access.py).
PUBLIC_KINDS = frozenset({SearchKind.SERVICE, SearchKind.TEAM, SearchKind.SALESFORCE_ORG})


class InvalidSearch(ValueError):
    """An empty or too long query, a bad page size, or a malformed or foreign cursor."""


@dataclass(frozen=True)
class Source:
    """A searchable table: its title (trigram-matched) and the text its snippet comes from."""

    model: type[Any]
    title: str
    body: str | None = None


SOURCES: dict[SearchKind, Source] = {
    SearchKind.SERVICE: Source(Service, "name", "description"),
    SearchKind.TEAM: Source(Team, "name"),
    SearchKind.PERSON: Source(Person, "display_name"),
    SearchKind.SALESFORCE_ORG: Source(SalesforceOrg, "name"),
    SearchKind.REQUEST: Source(ServiceRequest, "title", "body"),
    SearchKind.INCIDENT: Source(Incident, "title", "root_cause"),
    SearchKind.FEEDBACK: Source(Feedback, "title", "body"),
    SearchKind.BACKLOG_ITEM: Source(BacklogItem, "title", "description"),
    SearchKind.RELEASE: Source(Release, "name"),
    SearchKind.SLA: Source(Sla, "name", "description"),
    SearchKind.AI_MODEL: Source(AIModel, "name", "purpose"),
}


@dataclass(frozen=True)
class SearchCursor:
    rank: float
    recency: datetime
    kind: SearchKind
    id: uuid.UUID

    def encode(self, stamp: str) -> str:
        payload = [stamp, self.rank, self.recency.isoformat(), self.kind.value, str(self.id)]
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, stamp: str) -> SearchCursor:
        try:
            raw = base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))
            given, rank, recency, kind, key = json.loads(raw)
            if not isinstance(rank, (int, float)) or isinstance(rank, bool):
                raise TypeError
            cursor = cls(
                float(rank), datetime.fromisoformat(recency), SearchKind(kind), uuid.UUID(key)
            )
        except (ValueError, TypeError, UnicodeError, binascii.Error):
            raise InvalidSearch(f"{text!r} is not a valid cursor") from None
        if given != stamp or cursor.recency.tzinfo is None:
            raise InvalidSearch(
                "the cursor belongs to another search; start again without it"
                if given != stamp
                else f"{text!r} is not a valid cursor"
            )
        return cursor


@dataclass(frozen=True)
class SearchRequest:
    query: str
    kinds: frozenset[SearchKind]
    anonymous: bool
    first: int | None = None
    after: str | None = None

    def text(self) -> str:
        text = " ".join(self.query.split())
        if not text:
            raise InvalidSearch("query must not be empty")
        if len(text) > MAX_QUERY_LENGTH:
            raise InvalidSearch(
                f"query holds at most {MAX_QUERY_LENGTH} characters; {len(text)} were given"
            )
        return text

    def limit(self) -> int:
        """The page size; raises `PageSizeExceeded` or `InvalidPageRequest` like every list."""
        return PageRequest(first=self.first).limit()

    def readable_kinds(self) -> list[SearchKind]:
        """The kinds asked for (every kind when none) that the caller may read, in order."""
        asked = self.kinds or frozenset(SearchKind)
        return [kind for kind in SearchKind if kind in asked and self._may_read(kind)]

    def _may_read(self, kind: SearchKind) -> bool:
        return not self.anonymous or kind in PUBLIC_KINDS

    def stamp(self, text: str) -> str:
        """A cursor is good only for the same query, kinds and kind of caller."""
        return fingerprint("search", text, sorted(self.kinds), self.anonymous)


@dataclass(frozen=True)
class Hit:
    kind: SearchKind
    id: uuid.UUID
    rank: float
    snippet: str | None
    cursor: str


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    has_next_page: bool


def _tsquery(config: str, query: ColumnElement[str]) -> ColumnElement[Any]:
    return func.websearch_to_tsquery(literal_column(f"'{config}'::regconfig"), query, type_=TSQUERY)


def _escaped(text: ColumnElement[Any]) -> ColumnElement[Any]:
    """HTML-escaped, so a snippet is safe to show as HTML (only its <mark>s are markup)."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = func.replace(text, char, entity)
    return text


@dataclass(frozen=True)
class Terms:
    """The query's words for the trigram match: the unquoted words wanted (a "quoted
    phrase" asks for exact words, so no typo is forgiven there), and the words excluded
    (`-word`), which a trigram match must not contain either."""

    wanted: str
    excluded: str
    phrases: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Terms:
        segments = text.split('"')
        words = " ".join(segments[0::2]).split()
        wanted = [word for word in words if not word.startswith("-") and word.lower() != "or"]
        excluded = [word[1:] for word in words if word.startswith("-") and len(word) > 1]
        phrases = tuple(phrase.strip() for phrase in segments[1::2] if phrase.strip())
        return cls(" ".join(wanted), " or ".join(excluded), phrases)

    @property
    def want_something(self) -> bool:
        return bool(self.wanted or self.phrases)


def _both(query: ColumnElement[str]) -> ColumnElement[Any]:
    return _tsquery("english", query).op("||")(_tsquery("simple", query))


@dataclass(frozen=True)
class _Parameters:
    """The query read once per statement (a CTE): with bound parameters, an expression of
    them in each row's rank or recheck would parse the query again for every row."""

    query: ColumnElement[Any]  # the tsquery
    usable: ColumnElement[bool]  # whether it holds a word at all
    wanted: BindParameter[str] | None
    excluded: ColumnElement[Any] | None  # the tsquery of the excluded words

    @classmethod
    def of(cls, text: str) -> _Parameters:
        query = bindparam("query", text, type_=Text)
        terms = Terms.of(text)
        columns = [
            _both(query).label("tsquery"),
            (func.numnode(_tsquery("english", query)) > 0).label("usable"),
        ]
        if terms.excluded:
            excluded = bindparam("excluded", terms.excluded, type_=Text)
            columns.append(_both(excluded).label("excluded"))
        once = select(*columns).cte("query")
        return cls(
            select(once.c.tsquery).scalar_subquery(),
            select(once.c.usable).scalar_subquery(),
            bindparam("wanted", terms.wanted, type_=Text) if terms.wanted else None,
            select(once.c.excluded).scalar_subquery() if terms.excluded else None,
        )


def _arm(kind: SearchKind, given: _Parameters) -> Select[Any]:
    source = SOURCES[kind]
    model = source.model
    title = cast(getattr(model, source.title), Text)
    tsquery = given.query
    vector = model.search_vector
    matches: ColumnElement[bool] = vector.bool_op("@@")(tsquery)
    rank: ColumnElement[Any] = func.ts_rank(vector, tsquery)
    if given.wanted is not None:
        # A typo's match ranks below the words' own (word_similarity, the costly part, is
        # computed only for the records the words alone do not match).
        rank = case(
            (matches, rank),
            else_=TYPO_WEIGHT * func.word_similarity(given.wanted, title),
        )
        similar: ColumnElement[bool] = given.wanted.bool_op("<%")(title)
        if given.excluded is not None:
            similar = and_(similar, ~vector.bool_op("@@")(given.excluded))
        matches = or_(matches, similar)
    conditions = [
        # A query of stop words or operators only ("the", "-", '""') finds nothing.
        given.usable,
        matches,
    ]
    if hasattr(model, "archived_at"):
        conditions.append(model.archived_at.is_(None))
    return select(
        literal_column(f"'{kind.value}'", String).label("kind"),
        model.id.label("id"),
        cast(rank, Float(precision=53)).label("rank"),
        model.updated_at.label("recency"),
    ).where(*conditions)


def _snippet_text(kind: SearchKind, record_id: ColumnElement[Any]) -> ColumnElement[Any]:
    """The text a hit's snippet is cut from (its body, else its title), read for the page's
    hits only: carried through the ranking of every match, the bodies cost more than the
    ranking itself on a broad query."""
    source = SOURCES[kind]
    model = source.model
    title = cast(getattr(model, source.title), Text)
    body = cast(getattr(model, source.body), Text) if source.body else None
    text = func.coalesce(func.nullif(body, ""), title) if body is not None else title
    return select(text).where(model.id == record_id).scalar_subquery()


def search_statement(
    kinds: Sequence[SearchKind], text: str, *, after: SearchCursor | None, limit: int
) -> Select[Any]:
    """The page of hits (one more than `limit`), each with its HTML-safe snippet."""
    given = _Parameters.of(text)
    hits = union_all(*(_arm(kind, given) for kind in kinds)).subquery("hits")
    order = (hits.c.rank.desc(), hits.c.recency.desc(), hits.c.kind.desc(), hits.c.id.desc())
    page = select(hits)
    if after is not None:
        page = page.where(
            tuple_(hits.c.rank, hits.c.recency, hits.c.kind, hits.c.id)
            < tuple_(
                bindparam("after_rank", after.rank, type_=Float(precision=53)),
                bindparam("after_recency", after.recency, type_=DateTime(timezone=True)),
                bindparam("after_kind", after.kind.value, type_=String),
                bindparam("after_id", after.id, type_=Uuid),
            )
        )
    limited = page.order_by(*order).limit(limit + 1).subquery("page")
    snippet_text = case(
        *((limited.c.kind == kind.value, _snippet_text(kind, limited.c.id)) for kind in kinds)
    )
    headline = func.ts_headline(
        literal_column("'english'::regconfig"),
        _escaped(snippet_text),
        given.query,
        HEADLINE_OPTIONS,
    )
    return select(
        limited.c.kind, limited.c.id, limited.c.rank, limited.c.recency, headline.label("snippet")
    ).order_by(
        limited.c.rank.desc(), limited.c.recency.desc(), limited.c.kind.desc(), limited.c.id.desc()
    )


async def search(session: AsyncSession, request: SearchRequest) -> SearchPage:
    """One page of what the caller may read that matches the query, best first."""
    text = request.text()
    limit = request.limit()
    stamp = request.stamp(text)
    after = SearchCursor.decode(request.after, stamp) if request.after is not None else None
    kinds = request.readable_kinds()
    # Only exclusions ("-sso") would list everything else: a search needs a wanted word.
    if not kinds or limit == 0 or not Terms.of(text).want_something:
        return SearchPage([], False)
    rows = (await session.execute(search_statement(kinds, text, after=after, limit=limit))).all()
    hits = [
        Hit(
            kind=SearchKind(row.kind),
            id=row.id,
            rank=row.rank,
            snippet=row.snippet or None,
            cursor=SearchCursor(row.rank, row.recency, SearchKind(row.kind), row.id).encode(stamp),
        )
        for row in rows[:limit]
    ]
    return SearchPage(hits, len(rows) > limit)
