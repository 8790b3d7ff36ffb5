"""Full-text search columns: one weighted `tsvector` per searchable table, kept by PostgreSQL.

Each searchable table has a generated (STORED) `search_vector` of its name or title (weight
A), its summary (B) and its body (C), each in the `simple` configuration (exact words, names,
codes) and the `english` one (stems: "logins" finds "login"); a GIN index on it; and a
trigram GIN index on the name or title, for typos and short strings. The statement that
searches them all is `service_levels/search.py`.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Computed, Index, Table
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

SEARCH_CONFIGS = ("simple", "english")


def search_vector_sql(a: str, b: str | None = None, c: str | None = None) -> str:
    """The generated column's expression over the columns weighted A, B and C."""
    parts = [
        f"setweight(to_tsvector('{config}'::regconfig, coalesce({column}, '')), '{weight}')"
        for weight, column in zip("ABC", (a, b, c), strict=True)
        if column is not None
        for config in SEARCH_CONFIGS
    ]
    return " || ".join(parts)


def search_vector_column(a: str, b: str | None = None, c: str | None = None) -> Mapped[str]:
    """The `search_vector` column; never loaded with the row (only the search reads it)."""
    return mapped_column(
        TSVECTOR,
        Computed(search_vector_sql(a, b, c), persisted=True),
        deferred=True,
        deferred_raiseload=True,
    )


def index_search(model: type[Any], title: str) -> None:
    """The GIN index on the model's `search_vector` and the trigram index on its title."""
    table = cast(Table, model.__table__)
    Index(f"ix_{table.name}_search_vector", table.c.search_vector, postgresql_using="gin")
    Index(
        f"ix_{table.name}_{title}_trgm",
        table.c[title],
        postgresql_using="gin",
        postgresql_ops={title: "gin_trgm_ops"},
    )
