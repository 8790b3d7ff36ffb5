"""Export and import: nothing lost on the way, refusals that change nothing, bounded memory."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql import JSONB

from server.demo import seed_demo
from server.exchange import ExchangeRefused, export_database, import_database
from server.exchange.format import decoder_for, encode_json, encode_value
from server.exchange.schema import connect, exported_tables
from server.registry import metadata
from tests import database

COMMAND = Path(sys.executable).parent / "service-catalog"

# Values the demo does not hold: JSON null beside SQL NULL, one-key "$json" objects, digits
# kept as written, text needing escapes, floats at their edges, rows referring to later rows,
# keys whose order depends on collation, and identity columns.
EDGE_CASES = r"""
WITH picked AS (SELECT id, row_number() OVER (ORDER BY slug) AS n FROM service)
UPDATE service SET
    business_calendar = CASE picked.n
        WHEN 1 THEN 'null'::jsonb
        WHEN 2 THEN '{"$json": 1}'::jsonb
        WHEN 3 THEN '{"a": 1.10, "b": [1e3, "x\ny", null, 12345678901234567890.5], "c": "é ✓"}'
        WHEN 4 THEN '"just a string"'::jsonb
    END,
    tags = CASE picked.n WHEN 5 THEN ARRAY['a,b', 'say "hi"', 'ü', 'NULL', ''] ELSE tags END
FROM picked WHERE service.id = picked.id AND picked.n <= 5;

INSERT INTO team (id, name, slug, kind, business_unit_id)
SELECT '00000000-0000-0000-0000-0000000000c1', 'Edge cases', 'edge-cases', 'PLATFORM',
       min(id::text)::uuid
FROM business_unit;
INSERT INTO backlog (id, team_id)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c1');
INSERT INTO backlog_item (backlog_id, service_id, type, title, rank)
SELECT '00000000-0000-0000-0000-0000000000b1', (SELECT min(id::text)::uuid FROM service),
       'FEATURE', v.title, v.rank
FROM (VALUES ('Negative zero', '-0'::float8), ('Tiny', 1e-300)) AS v(title, rank);
INSERT INTO feedback (id, service_id, kind, title, body, channel, score, merged_into_id)
SELECT ('00000000-0000-0000-0000-0000000000f' || v.n)::uuid,
       (SELECT min(id::text)::uuid FROM service), 'IDEA', v.title, E'line\nnext\ttab "q" \\',
       'API', v.score, ('00000000-0000-0000-0000-0000000000f' || v.merged)::uuid
FROM (VALUES (2, 'Target', 'NaN'::float8, NULL), (1, 'Merged', 'Infinity', 2),
             (3, 'Third', 0.1, NULL)) AS v(n, title, score, merged);
INSERT INTO idempotency_key (scope, key, request_hash, response_status, response_body, expires_at)
VALUES ('scope', 'a', 'h1', 201, '{"ok": true}', now()), ('scope', 'B', 'h2', 201, '[]', now());
INSERT INTO audit_event (action, outcome, details)
SELECT 'test.action', 'SUCCESS', jsonb_build_object('n', n) FROM generate_series(1, 3) AS n;
INSERT INTO measurement (metric, service_id, at, value, source, note, recorded_by, details)
SELECT v.metric, (SELECT min(id::text)::uuid FROM service), v.at, v.value, v.source, v.note,
       v.recorded_by, v.details::jsonb
FROM (VALUES
    ('ADOPTION', '2026-01-01T00:00:00Z'::timestamptz, 0.1234567890123456789::float8,
     'SALESFORCE', '', 'salesforce-adoption-sampling', '{"activeUsers": 3, "licensedUsers": 4}'),
    ('COST', '2026-01-01T00:00:00.000001Z', 1.7976931348623157e308, 'IMPORT',
     E'a "quoted",\nnote', NULL, '{}'),
    ('CUSTOM', '2026-01-01T00:00:00Z', '-0'::float8, 'MANUAL', 'négatif', 'person:x',
     '{"$json": [1]}')
) AS v(metric, at, value, source, note, recorded_by, details);
"""

# 100,001 rows made by the database itself: 1 unit, 1,000 teams, 49,000 people, 50,000 services.
HUNDRED_THOUSAND_ROWS = """
SELECT set_config('catalog.importing', 'on', false);
INSERT INTO business_unit (name) VALUES ('Unit');
INSERT INTO team (name, slug, kind, business_unit_id)
SELECT 'Team ' || n, 'team-' || n, 'PRODUCT', (SELECT id FROM business_unit)
FROM generate_series(0, 999) AS n;
INSERT INTO person (issuer, subject, display_name, email, scim_attributes)
SELECT 'https://idp.example.test', 'user-' || n, 'Person ' || n, 'p' || n || '@example.test',
       jsonb_build_object('n', n, 'groups', jsonb_build_array('a', 'b'))
FROM generate_series(1, 49000) AS n;
INSERT INTO service (slug, name, description, owner_team_id, tier, lifecycle,
                     data_classification, salesforce_key, tags, last_reviewed_at)
SELECT 'service-' || n, 'Service ' || n, repeat('words ', 10), team.id, 'TIER_2', 'LIVE',
       'INTERNAL', 'service-' || n, ARRAY['tag-' || n % 7, 'all'], now() - n * interval '1 minute'
FROM generate_series(1, 50000) AS n
JOIN (SELECT id, row_number() OVER (ORDER BY slug) - 1 AS k FROM team) AS team ON team.k = n % 1000;
"""


@pytest.fixture
async def target_database(server_url: str, template: str) -> AsyncIterator[str]:
    """A second migrated, empty database to import into."""
    name = await database.clone(server_url, template, prefix="sc_fresh")
    yield database.with_database(server_url, name)
    await database.drop(server_url, name)


async def run_sql(url: str, script: str) -> None:
    async with connect(url) as connection:
        await connection.execute(script)


async def row_counts(url: str) -> dict[str, int]:
    async with connect(url) as connection:
        return {
            table.name: await connection.fetchval(f'SELECT count(*) FROM "{table.name}"')
            for table in exported_tables(metadata)
        }


EXCHANGE_EVENT = re.compile(r'\{"table": "audit_event", "row": \{.*"action": "(EXPORT|IMPORT)"')


def content(path: Path) -> list[str]:
    """The file's lines, without the export's own time stamp, nor the audit events of
    earlier exports and imports (which a database holds once they are done)."""
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    fields = json.loads(header)
    assert datetime.fromisoformat(fields.pop("exported_at")).tzinfo is not None
    kept = [row for row in rows if not EXCHANGE_EVENT.match(row)]
    fields["rows"]["audit_event"] -= len(rows) - len(kept)
    return [json.dumps(fields), *kept]


async def exchange_events(url: str) -> list[tuple[str, dict[str, Any]]]:
    async with connect(url) as connection:
        rows = await connection.fetch(
            "SELECT action, details FROM audit_event WHERE action IN ('EXPORT', 'IMPORT') "
            "ORDER BY id"
        )
    return [(row["action"], json.loads(row["details"])) for row in rows]


def read_header(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as file:
        header: dict[str, Any] = json.loads(file.readline())
    return header


def without_last_lines(source: Path, target: Path, count: int) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(lines[:-count]), encoding="utf-8")
    return target


def rewrite(source: Path, target: Path, line: int, change: Any) -> Path:
    """A copy of `source` whose 1-based `line` is replaced by `change(line, previous line)`."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = change(lines[line - 1], lines[line - 2] if line > 1 else "")
    target.write_text("".join(lines), encoding="utf-8")
    return target


async def export_demo(url: str, path: Path) -> Path:
    """The demo catalog and the edge cases, loaded into `url` and exported to `path`."""
    await seed_demo(url)
    await run_sql(url, EDGE_CASES)
    await export_database(url, path)
    return path


@pytest.fixture
async def exported(fresh_database: str, tmp_path: Path) -> Path:
    """The demo catalog and the edge cases, exported from `fresh_database`."""
    return await export_demo(fresh_database, tmp_path / "first.jsonl")


@pytest.fixture(scope="module")
async def demo_export(
    server_url: str, template: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Path]:
    """The same export made once for the module, for tests that only read the file."""
    name = await database.clone(server_url, template, prefix="sc_fresh")
    try:
        path = tmp_path_factory.mktemp("exchange") / "first.jsonl"
        yield await export_demo(database.with_database(server_url, name), path)
    finally:
        await database.drop(server_url, name)


def test_values_keep_their_type_and_digits_through_the_format() -> None:
    cases: list[tuple[sqltypes.TypeEngine[Any], Any]] = [
        (sqltypes.Numeric(), Decimal("1.10")),
        (sqltypes.LargeBinary(), b"\x00\xff binary"),
        (sqltypes.Date(), date(2026, 2, 28)),
        (sqltypes.Time(), time_of_day(23, 59, 58, 1)),
        (sqltypes.Float(), 0.1),
        (sqltypes.ARRAY(sqltypes.Integer()), [[1, None], [3, 4]]),
        (sqltypes.Boolean(), False),
    ]
    for type_, value in cases:
        text = encode_value(value)
        assert decoder_for(type_)(json.loads(text, parse_float=Decimal)) == value, text
    for jsonb_text in ("null", '{"$json": 1}', '{"a": 1.10}', '"s"', "[]"):
        written = json.loads(encode_json(jsonb_text), parse_float=Decimal)
        assert json.loads(decoder_for(JSONB())(written)) == json.loads(jsonb_text)
    assert decoder_for(JSONB())(json.loads(encode_json('{"a": 1.10}'), parse_float=Decimal)) == (
        '{"a": 1.10}'
    )


async def test_export_import_export_gives_the_same_content(
    demo_export: Path, target_database: str, tmp_path: Path
) -> None:
    header = read_header(demo_export)
    again = tmp_path / "again.jsonl"

    await import_database(target_database, demo_export)
    await export_database(target_database, again)

    assert content(again) == content(demo_export)
    assert header["tables"] == [table.name for table in exported_tables(metadata)]
    assert header["rows"]["record_version"] > 0  # the demo's history, exported like any table
    # Import wrote no history: only its own audit event, and then the second export's.
    counts = await row_counts(target_database)
    assert counts == {**header["rows"], "audit_event": header["rows"]["audit_event"] + 2}
    assert [action for action, _ in await exchange_events(target_database)] == [
        "IMPORT",
        "EXPORT",
    ]


async def test_an_export_is_audited_after_its_snapshot(
    exported: Path, fresh_database: str, tmp_path: Path
) -> None:
    [(action, details)] = await exchange_events(fresh_database)

    assert action == "EXPORT"
    assert details["file"] == str(exported)
    assert details["rows"] == read_header(exported)["rows"]
    assert not any(EXCHANGE_EVENT.match(line) for line in content(exported))


async def test_identity_columns_continue_after_the_imported_rows(
    demo_export: Path, target_database: str
) -> None:
    await import_database(target_database, demo_export)

    async with connect(target_database) as connection:
        imported = await connection.fetchval("SELECT max(id) FROM audit_event")
        new_id = await connection.fetchval(
            "INSERT INTO audit_event (action, outcome) VALUES ('next', 'SUCCESS') RETURNING id"
        )
    assert (imported, new_id) == (4, 5)  # 1 to 3 from the file, 4 the IMPORT event


async def test_an_unknown_format_version_is_refused(
    demo_export: Path, target_database: str, tmp_path: Path
) -> None:
    def version_2(line: str, previous: str) -> str:
        return json.dumps({**json.loads(line), "format_version": 2}) + "\n"

    future = rewrite(demo_export, tmp_path / "v2.jsonl", 1, version_2)

    with pytest.raises(ExchangeRefused, match="format version 2 is not supported"):
        await import_database(target_database, future)


async def test_another_schema_revision_is_refused(
    demo_export: Path, target_database: str, tmp_path: Path
) -> None:
    def old_revision(line: str, previous: str) -> str:
        return json.dumps({**json.loads(line), "schema_revision": "0001"}) + "\n"

    older = rewrite(demo_export, tmp_path / "old.jsonl", 1, old_revision)

    with pytest.raises(ExchangeRefused, match="the file is from schema revision 0001"):
        await import_database(target_database, older)
    assert set((await row_counts(target_database)).values()) == {0}


async def test_a_database_with_rows_is_refused(exported: Path, fresh_database: str) -> None:
    before = await row_counts(fresh_database)

    with pytest.raises(
        ExchangeRefused, match=r"the database is not empty \(rows in .*business_unit"
    ):
        await import_database(fresh_database, exported)
    assert await row_counts(fresh_database) == before


async def test_a_table_no_model_declares_is_reported(fresh_database: str, tmp_path: Path) -> None:
    await run_sql(
        fresh_database, "CREATE TABLE stray (x int); ALTER TABLE team ADD COLUMN extra int"
    )
    progress: list[str] = []

    await export_database(fresh_database, tmp_path / "file.jsonl", report=progress.append)

    assert progress == [
        "warning: stray is not exported: no model declares it",
        "warning: team.extra is not exported: no model declares it",
    ]


def _middle_service_line(path: Path) -> int:
    """A service row: several tables are already loaded when it is read."""
    lines = path.read_text(encoding="utf-8").splitlines()
    services = [
        n for n, line in enumerate(lines, start=1) if line.startswith('{"table": "service"')
    ]
    return services[len(services) // 2]


def _previous_slug(line: str, previous: str) -> str:
    row = json.loads(line)
    row["row"]["slug"] = json.loads(previous)["row"]["slug"]
    return json.dumps(row) + "\n"


def _bad_uuid(line: str, previous: str) -> str:
    return line.replace('"id": "', '"id": "not-a-uuid-', 1)


def _huge_version(line: str, previous: str) -> str:
    row = json.loads(line)
    row["row"]["version"] = 2**40
    return json.dumps(row) + "\n"


def _cut(line: str, previous: str) -> str:
    return line[: len(line) // 2] + "\n"


def _nul_in_text(line: str, previous: str) -> str:
    row = json.loads(line)
    row["row"]["name"] += "\x00"
    return json.dumps(row) + "\n"


def _nul_in_json(line: str, previous: str) -> str:
    row = json.loads(line)
    row["row"]["business_calendar"] = {"timeZone": "\x00"}
    return json.dumps(row) + "\n"


def _lone_surrogate(line: str, previous: str) -> str:
    return line.replace('"name": "', '"name": "\\ud800', 1)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (_cut, "not valid JSON"),
        (_bad_uuid, "service.id: expected a UUID"),
        (_huge_version, "service: value out of int32 range"),
        (_previous_slug, 'duplicate key value violates unique constraint "uq_service_slug"'),
        (_nul_in_text, 'invalid byte sequence for encoding "UTF8": 0x00'),
        (_nul_in_json, "service.business_calendar: a JSON string holds U+0000 (NUL)"),
        (_lone_surrogate, "service: 'utf-8' codec can't encode character '\\ud800'"),
    ],
    ids=[
        "cut-json",
        "bad-uuid",
        "int-overflow",
        "duplicate-key",
        "nul-in-text",
        "nul-in-json",
        "lone-surrogate",
    ],
)
async def test_a_bad_line_mid_file_loads_nothing_and_is_named(
    demo_export: Path, target_database: str, tmp_path: Path, change: Any, complaint: str
) -> None:
    line = _middle_service_line(demo_export)
    corrupt = rewrite(demo_export, tmp_path / "corrupt.jsonl", line, change)

    with pytest.raises(ExchangeRefused) as refusal:
        await import_database(target_database, corrupt)

    assert str(refusal.value).startswith(f"line {line}: ")
    assert complaint in str(refusal.value)
    assert set((await row_counts(target_database)).values()) == {0}


async def test_a_truncated_file_is_refused(
    demo_export: Path, target_database: str, tmp_path: Path
) -> None:
    # The last row of the last table: nothing later refers to it, so only the count can tell.
    truncated = without_last_lines(demo_export, tmp_path / "truncated.jsonl", 1)

    with pytest.raises(ExchangeRefused, match="is the file truncated"):
        await import_database(target_database, truncated)
    assert set((await row_counts(target_database)).values()) == {0}


async def _traced(work: Any) -> tuple[int, float]:
    """Peak traced memory in bytes and seconds taken (informational) of awaiting `work`."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        await work
        return tracemalloc.get_traced_memory()[1], time.perf_counter() - started
    finally:
        tracemalloc.stop()


async def test_a_hundred_thousand_rows_round_trip_in_bounded_memory(
    fresh_database: str, target_database: str, tmp_path: Path
) -> None:
    await run_sql(fresh_database, HUNDRED_THOUSAND_ROWS)
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    progress: list[str] = []

    export_peak, export_s = await _traced(
        export_database(fresh_database, first, report=progress.append)
    )
    import_peak, import_s = await _traced(import_database(target_database, first))
    await export_database(target_database, again)

    assert content(again) == content(first)
    assert sum((await row_counts(target_database)).values()) == 100_001 + 2  # IMPORT, EXPORT
    assert any(re.fullmatch(r"exported 30000 rows \(\w+: \d+/\d+\)", line) for line in progress)
    size = first.stat().st_size
    print(
        f"100k rows, {size} bytes: export {export_s:.1f} s, peak {export_peak} B;"
        f" import {import_s:.1f} s, peak {import_peak} B"
    )
    # Holding every row would take more than the file's size; streaming takes a fraction.
    assert export_peak < size / 4
    assert import_peak < size / 4


def _command(url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env["CATALOG_DATABASE_URL"] = url
    return subprocess.run(
        [str(COMMAND), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


async def test_the_commands_export_and_import_with_exit_codes(
    fresh_database: str, target_database: str, tmp_path: Path
) -> None:
    await seed_demo(fresh_database)
    file = tmp_path / "catalog.jsonl"

    exported = _command(fresh_database, tmp_path, "export", str(file))
    to_stdout = _command(fresh_database, tmp_path, "export", "-")
    imported = _command(target_database, tmp_path, "import", str(file))
    refused = _command(target_database, tmp_path, "import", str(file))

    assert exported.returncode == 0, exported.stderr
    assert re.fullmatch(
        r"exported \d+ rows of .* to .* in [\d.]+ s", exported.stderr.splitlines()[-1]
    )
    assert to_stdout.returncode == 0, to_stdout.stderr
    (tmp_path / "stdout.jsonl").write_text(to_stdout.stdout, encoding="utf-8")
    assert content(tmp_path / "stdout.jsonl") == content(file)
    assert imported.returncode == 0, imported.stderr
    assert re.fullmatch(
        r"imported \d+ rows of .* from .* in [\d.]+ s", imported.stderr.splitlines()[-1]
    )
    assert refused.returncode == 2
    assert len(refused.stderr.splitlines()) == 1
    assert refused.stderr.startswith("service-catalog import: refused: the database is not empty")


def test_an_unreachable_database_fails_with_one_line(tmp_path: Path) -> None:
    unreachable = "postgresql://postgres@127.0.0.1:1/nowhere"

    failed = _command(unreachable, tmp_path, "export", str(tmp_path / "never.jsonl"))

    assert failed.returncode == 1
    assert len(failed.stderr.splitlines()) == 1
    assert failed.stderr.startswith("service-catalog export: failed: ")
    assert not list(tmp_path.iterdir())  # no partial file left behind
