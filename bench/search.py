"""S1: search across everything (`search(query:)`) over 100,000 records, in process.

A database cloned from the migrated template is filled by SQL (seeded `random()`, so every
run holds the same text): 50 teams, 5,000 people, 1,000 services, 35,000 requests, 20,000
incidents, 20,000 feedback and 19,000 backlog items — 100,050 searchable records. Titles
hold 3 to 8 words and bodies 15 to 60, drawn from a support desk's vocabulary (about 30 % of
words, so "login" is in some thousands of records) and 4,000 made-up words (the rest).

Each query of `QUERIES` is asked through the product's schema (signed in, as the bench's
ADMIN; the first page of 20 with node titles and snippets), alternating with the domain
statement alone; the figure is the p95 of the GraphQL timings per query. Target: p95 < 50 ms.

    .venv/bin/python -m bench.search            # builds the template, seeds, measures
    .venv/bin/python -m bench --only search     # the same as a stage of the suite
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.seed import TEMPLATE, _admin, build_template, with_database
from bench.subject import SchemaSubject
from core.db import make_engine, make_sessionmaker
from service_levels.search import SearchRequest, search

DATABASE = "sc_bench_search"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_P95_MS = 50.0
RESULTS = Path(__file__).with_name("results") / "latest-search.json"

QUERIES = (
    "login",  # a common word: thousands of hits, ranked
    "logn",  # a typo: the trigram index
    '"login loop"',  # a phrase
    "sso login -partner",  # AND with an exclusion
    "invoice or refund",  # OR
    "checkout timeout",  # two words, fewer hits
    "zzyzxq",  # nothing
)

DOCUMENT = """
query Search($query: String!) {
  search(query: $query, first: 20) {
    edges {
      rank snippet
      node {
        __typename
        ... on ServiceRequest { title }
        ... on Incident { title }
        ... on Feedback { title }
        ... on BacklogItem { title }
        ... on Service { name }
        ... on Person { displayName }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

VOCABULARY = (
    "login loop sso password reset account access permission profile role report dashboard "
    "export import record records page layout list view field picklist validation rule flow "
    "trigger apex batch job schedule email template case lead opportunity quote invoice "
    "refund payment checkout cart order price currency discount contract renewal partner "
    "portal community mobile app browser slow timeout error failure crash blank spinner "
    "duplicate missing wrong stale sync integration api token certificate expired locked "
    "user manager approval queue assignment escalation sla breach priority urgent outage "
    "degraded latency storage limit governor query index search filter sort attachment file "
    "upload download pdf excel csv share link redirect session cookie timezone calendar "
    "meeting notification alert monitoring incident change request release sandbox deploy "
    "package metadata field-level security audit log compliance gdpr consent privacy data "
    "migration backup restore archive delete merge convert assign transfer territory forecast "
    "pipeline stage product catalog bundle subscription billing tax address phone chat bot "
    "knowledge article translation language accessibility keyboard shortcut console service "
    "desk agent customer employee onboarding offboarding license freeze deactivate"
)
WORDS = tuple(VOCABULARY.split())
SYLLABLES = "ka lo mi ne ru ta vo zi be da fu go hi ja ke lu ma no pe qi ri so tu vi wa xe yo zu"


def _seed_sql() -> list[str]:
    syllables = SYLLABLES.split()
    made_up = [
        syllables[a] + syllables[b] + syllables[c]
        for a in range(len(syllables))
        for b in range(len(syllables))
        for c in range(0, len(syllables), 5)
    ][:4000]
    words = "ARRAY[" + ",".join(f"'{word}'" for word in WORDS) + "]"
    others = "ARRAY[" + ",".join(f"'{word}'" for word in made_up) + "]"

    def text(count: str) -> str:
        # Drawn per word (k) and per row (g): the aggregate belongs to the subquery.
        return (
            "(SELECT string_agg(CASE WHEN random() < 0.3 + 0 * k "
            f"THEN (w.d)[1 + floor(random() * {len(WORDS)})::int] "
            f"ELSE (w.o)[1 + floor(random() * {len(made_up)})::int] END, ' ') "
            f"FROM generate_series(1, {count}) AS n(k))"
        )

    title, body = text("3 + (g % 6)"), text("15 + (g % 46)")
    vocabulary = "CROSS JOIN words AS w"
    return [
        "SELECT setseed(0.42)",
        f"CREATE TEMP TABLE words AS SELECT {words} AS d, {others} AS o",
        "SET LOCAL catalog.importing = 'on'",
        "INSERT INTO business_unit (id, name) VALUES (gen_random_uuid(), 'Bench unit')",
        "INSERT INTO team (id, business_unit_id, name, slug, kind) "
        "SELECT gen_random_uuid(), (SELECT id FROM business_unit LIMIT 1), "
        "'Team ' || g, 'team-' || g, 'PRODUCT' FROM generate_series(1, 50) AS g",
        "INSERT INTO backlog (id, team_id) SELECT gen_random_uuid(), id FROM team "
        "ON CONFLICT DO NOTHING",
        "INSERT INTO person (id, issuer, subject, display_name, email) "
        f"SELECT gen_random_uuid(), 'https://bench', 'u' || g, {title}, 'p' || g || '@bench' "
        f"FROM generate_series(1, 5000) AS g {vocabulary}",
        "CREATE TEMP TABLE teams AS SELECT row_number() OVER () AS n, id FROM team",
        "INSERT INTO service (id, owner_team_id, name, slug, description, tier, lifecycle, "
        "salesforce_key, data_classification) "
        f"SELECT gen_random_uuid(), (SELECT id FROM teams WHERE n = 1 + g % 50), {title}, "
        f"'service-' || g, {body}, 'TIER_2', 'LIVE', 'service-' || g, 'INTERNAL' "
        f"FROM generate_series(1, 1000) AS g {vocabulary}",
        "CREATE TEMP TABLE services AS SELECT row_number() OVER () AS n, id FROM service",
        "CREATE TEMP TABLE people AS SELECT row_number() OVER () AS n, id FROM person",
        "INSERT INTO service_request (id, service_id, requester_id, title, body, kind, impact, "
        "urgency, priority, created_at, updated_at) "
        "SELECT gen_random_uuid(), (SELECT id FROM services WHERE n = 1 + g % 1000), "
        f"(SELECT id FROM people WHERE n = 1 + g % 5000), left({title}, 200), {body}, "
        "'DEFECT', 'MEDIUM', 'MEDIUM', 'P3', now() - g * interval '1 minute', "
        "now() - g * interval '1 minute' "
        f"FROM generate_series(1, 35000) AS g {vocabulary}",
        "INSERT INTO incident (id, title, root_cause, severity, source, detected_at, "
        "status_changed_at, updated_at) "
        f"SELECT gen_random_uuid(), left({title}, 200), {body}, 'SEV3', 'MONITORING', "
        "now() - g * interval '2 minutes', now() - g * interval '2 minutes', "
        "now() - g * interval '2 minutes' "
        f"FROM generate_series(1, 20000) AS g {vocabulary}",
        "INSERT INTO feedback (id, service_id, title, body, kind, channel, updated_at) "
        "SELECT gen_random_uuid(), (SELECT id FROM services WHERE n = 1 + g % 1000), "
        f"left({title}, 200), {body}, 'BUG', 'API', now() - g * interval '3 minutes' "
        f"FROM generate_series(1, 20000) AS g {vocabulary}",
        "INSERT INTO backlog_item (id, backlog_id, type, title, description, rank, updated_at) "
        "SELECT gen_random_uuid(), (SELECT b.id FROM backlog AS b JOIN teams AS t "
        "ON t.id = b.team_id WHERE t.n = 1 + g % 50), 'FEATURE', left("
        f"{title}, 200), {body}, g, now() - g * interval '4 minutes' "
        f"FROM generate_series(1, 19000) AS g {vocabulary}",
    ]


async def seed_search(server_url: str, log: Callable[[str], None]) -> str:
    """A database of 100,050 searchable records, cloned from the migrated template."""
    await _admin(
        server_url,
        f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
        f'CREATE DATABASE "{DATABASE}" TEMPLATE "{TEMPLATE}"',
    )
    url = with_database(server_url, DATABASE)
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        async with engine.begin() as connection:
            # The search indexes are built once after the load, not row by row during it.
            found = await connection.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND (indexname LIKE '%\\_search\\_vector' OR indexname LIKE '%\\_trgm')"
            )
            indexes = [(str(row["indexname"]), str(row["indexdef"])) for row in found.mappings()]
            for name, _ in indexes:
                await connection.exec_driver_sql(f'DROP INDEX "{name}"')
            for statement in _seed_sql():
                await connection.exec_driver_sql(statement)
            for _, definition in indexes:
                await connection.exec_driver_sql(definition)
        async with engine.connect() as connection:
            await connection.exec_driver_sql("COMMIT")
            await connection.exec_driver_sql("VACUUM ANALYZE")
    finally:
        await engine.dispose()
    log(f"S1: seeded {DATABASE} in {time.perf_counter() - started:.0f} s")
    return url


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(url: str, *, reps: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Per query: hits on the first page, then p50/p95 of the API and of the statement."""
    subject = SchemaSubject(url)
    await subject.start()
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    figures: dict[str, Any] = {}
    try:
        for query in QUERIES:
            body = json.loads(await subject.execute(DOCUMENT, {"query": query}))
            if body.get("errors"):
                raise RuntimeError(f"S1 {query!r}: {body['errors']}")
            hits = len(body["data"]["search"]["edges"])
            api: list[float] = []
            statement: list[float] = []
            for _ in range(reps):
                started = time.perf_counter()
                await subject.execute(DOCUMENT, {"query": query})
                api.append((time.perf_counter() - started) * 1000)
                async with sessions() as session:
                    started = time.perf_counter()
                    await search(
                        session, SearchRequest(query=query, kinds=frozenset(), anonymous=False)
                    )
                    statement.append((time.perf_counter() - started) * 1000)
            figures[query] = {
                "page_hits": hits,
                "api_p50_ms": round(statistics.median(api), 2),
                "api_p95_ms": round(_percentile(api, 0.95), 2),
                "statement_p50_ms": round(statistics.median(statement), 2),
                "statement_p95_ms": round(_percentile(statement, 0.95), 2),
            }
            log(f"S1 {query!r}: {figures[query]}")
    finally:
        await subject.close()
        await engine.dispose()
    worst = max(figure["api_p95_ms"] for figure in figures.values())
    return {
        "records": 100_050,
        "reps": reps,
        "queries": figures,
        "api_p95_ms_worst": worst,
        "target_p95_ms": TARGET_P95_MS,
        "met": worst < TARGET_P95_MS,
    }


async def run(server_url: str, *, reps: int, log: Callable[[str], None]) -> dict[str, Any]:
    url = await seed_search(server_url, log)
    return await measure(url, reps=reps, log=log)


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def _main(server_url: str, reps: int) -> dict[str, Any]:
    await build_template(server_url)
    return await run(server_url, reps=reps, log=_log)


if __name__ == "__main__":
    server = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SERVER
    figures = asyncio.run(_main(server, reps=50))
    figures["load_average"] = os.getloadavg()
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
