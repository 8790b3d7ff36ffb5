"""importMeasurements: CSV or JSON, every row stored in one statement, or none of them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from core.clock import utcnow
from core.errors import DomainErrors
from graphql_schema.node import global_id
from service_levels.measurement_import import MAX_ROWS, ImportFormat, parse
from service_levels.models import Measurement, MeasurementSource, Metric
from tests.builders.catalog import create_service
from tests.conftest import StatementCounter
from tests.graphql import data

IMPORT = """
mutation Import($input: ImportMeasurementsInput!) {
  importMeasurements(input: $input) {
    created updated unchanged
    userErrors { field message code }
  }
}
"""
DAY = datetime(2026, 9, 1, tzinfo=UTC)


def _import(format: str, content: str) -> dict[str, Any]:
    return {"input": {"format": format, "content": content}}


async def _stored(session: AsyncSession) -> list[tuple[str, Metric, str, float, str, str]]:
    rows = await session.execute(
        select(Measurement, Service.slug)
        .join(Service, Service.id == Measurement.service_id)
        .order_by(Service.slug, Measurement.metric, Measurement.at)
        .execution_options(populate_existing=True)
    )
    return [
        (slug, m.metric, m.at.date().isoformat(), m.value, m.note, m.source.value)
        for m, slug in rows
    ]


async def _two_services_with_stored_values(session: AsyncSession) -> tuple[Service, Service]:
    billing = await create_service(session, slug="billing")
    portal = await create_service(session, slug="portal")
    for metric, value in ((Metric.COST, 100.0), (Metric.EFFICIENCY_GAIN, 5.0)):
        session.add(
            Measurement(metric=metric, service_id=billing.id, at=DAY, value=value, note="Q3")
        )
    await session.flush()
    return billing, portal


async def test_a_csv_import_creates_updates_and_leaves_repeats_unchanged(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, portal = await _two_services_with_stored_values(session)
    content = (
        "metric,service,at,value,note\n"
        "COST,billing,2026-09-01T00:00:00Z,100,Q3\n"  # as stored
        "EFFICIENCY_GAIN,billing,2026-09-01T02:00:00+02:00,7.5,Q3\n"  # same moment, new value
        f"ADOPTION,{global_id('Service', portal.id)},2026-09-02T00:00:00Z,0.42,\n"
        'CUSTOM,portal,2026-09-03T00:00:00Z,-3,"tickets, deflected"\n'
    )

    body = await data(client, IMPORT, _import("CSV", content))

    assert body["importMeasurements"] == {
        "created": 2,
        "updated": 1,
        "unchanged": 1,
        "userErrors": [],
    }
    assert await _stored(session) == [
        ("billing", Metric.COST, "2026-09-01", 100.0, "Q3", "MANUAL"),
        ("billing", Metric.EFFICIENCY_GAIN, "2026-09-01", 7.5, "Q3", "IMPORT"),
        ("portal", Metric.ADOPTION, "2026-09-02", 0.42, "", "IMPORT"),
        ("portal", Metric.CUSTOM, "2026-09-03", -3.0, "tickets, deflected", "IMPORT"),
    ]


async def test_a_json_import_runs_again_without_changing_anything(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _two_services_with_stored_values(session)
    rows = [
        {"metric": "COST", "service": "billing", "at": "2026-09-01T00:00:00+00:00", "value": 120},
        {"metric": "COST", "service": "portal", "at": "2026-09-01T00:00:00+00:00", "value": 80.5},
        {
            "metric": "ADOPTION",
            "service": "portal",
            "at": "2026-09-01T00:00:00Z",
            "value": 1,
            "note": "all licences in use",
        },
    ]

    first = await data(client, IMPORT, _import("JSON", json.dumps(rows)))
    again = await data(client, IMPORT, _import("JSON", json.dumps(rows)))

    assert first["importMeasurements"] == {
        "created": 2,
        "updated": 1,
        "unchanged": 0,
        "userErrors": [],
    }
    assert again["importMeasurements"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "userErrors": [],
    }
    assert [row[:4] for row in await _stored(session)] == [
        ("billing", Metric.COST, "2026-09-01", 120.0),
        ("billing", Metric.EFFICIENCY_GAIN, "2026-09-01", 5.0),
        ("portal", Metric.ADOPTION, "2026-09-01", 1.0),
        ("portal", Metric.COST, "2026-09-01", 80.5),
    ]


async def test_one_bad_row_refuses_the_import_and_every_error_is_listed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _two_services_with_stored_values(session)
    archived = await create_service(session, slug="old", archived_at=utcnow())
    future = (utcnow() + timedelta(days=1)).isoformat()
    content = (
        "metric,service,at,value\n"
        "COST,billing,2026-09-05T00:00:00Z,150\n"  # fine: still not written
        "COST,nowhere,2026-09-05T00:00:00Z,1\n"
        "ADOPTION,portal,2026-09-05T00:00:00Z,1.5\n"
        "CUSTOM,portal,2026-09-05T00:00:00Z,NaN\n"
        "MTTR,portal,2026-09-05T00:00:00Z,60\n"
        f"COST,portal,{future},1\n"
        "COST,portal,yesterday,ten\n"
        f"COST,{archived.slug},2026-09-05T00:00:00Z,1\n"
        "COST,billing,2026-09-05T02:00:00+02:00,150\n"
        ",portal,,\n"
        "FOO,billing,2026-09-06T00:00:00Z,1\n"
    )

    body = await data(client, IMPORT, _import("CSV", content))

    payload = body["importMeasurements"]
    assert payload["created"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [
        (["rows", "1", "service"], "NOT_FOUND"),
        (["rows", "2", "value"], "INVALID"),
        (["rows", "3", "value"], "INVALID"),
        (["rows", "4", "metric"], "INVALID"),
        (["rows", "5", "at"], "INVALID"),
        (["rows", "6", "at"], "INVALID"),
        (["rows", "6", "value"], "INVALID"),
        (["rows", "7", "service"], "NOT_FOUND"),
        (["rows", "8"], "INVALID"),
        (["rows", "9", "at"], "REQUIRED"),
        (["rows", "9", "value"], "INVALID"),
        (["rows", "9", "metric"], "REQUIRED"),
        (["rows", "10", "metric"], "INVALID"),
    ]
    messages = {tuple(error["field"]): error["message"] for error in payload["userErrors"]}
    assert messages[("rows", "2", "value")] == "line 4: adoption is a fraction from 0 to 1"
    assert messages[("rows", "3", "value")] == "line 5: value must be a finite number"
    assert messages[("rows", "8")] == "line 10: repeats line 2: the same metric, service and at"
    assert [row[:4] for row in await _stored(session)] == [
        ("billing", Metric.COST, "2026-09-01", 100.0),
        ("billing", Metric.EFFICIENCY_GAIN, "2026-09-01", 5.0),
    ]


@pytest.mark.parametrize(
    ("format", "content", "message"),
    [
        ("CSV", "   ", "content is empty"),
        ("CSV", "metric,service,at\nCOST,billing,2026-09-01T00:00:00Z\n", "missing value"),
        ("CSV", "metric,service,at,value,unit\n", "unknown unit"),
        ("CSV", "metric,service,at,value\n", "content holds no rows"),
        ("JSON", "{not json", "not valid JSON"),
        ("JSON", '{"metric": "COST"}', "the JSON is a list of objects"),
    ],
)
async def test_a_malformed_content_is_refused_as_a_whole(
    client: httpx.AsyncClient, session: AsyncSession, format: str, content: str, message: str
) -> None:
    await create_service(session, slug="billing")

    body = await data(client, IMPORT, _import(format, content))

    [error] = body["importMeasurements"]["userErrors"]
    assert error["field"] == ["content"]
    assert message in error["message"]
    assert await _stored(session) == []


async def test_json_rows_with_wrong_shapes_name_their_row(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_service(session, slug="billing")
    rows: list[Any] = [
        ["COST", "billing"],
        {"metric": "COST", "service": "billing", "at": "2026-09-01T00:00:00Z", "value": "12"},
        {"metric": "COST", "service": "billing", "at": "2026-09-02T00:00:00Z", "value": True},
        {"metric": "COST", "service": "billing", "at": "2026-09-03T00:00:00Z", "value": 1, "x": 1},
        {"metric": "COST", "service": 7, "at": "2026-09-04T00:00:00Z", "value": 1, "note": 5},
    ]

    body = await data(client, IMPORT, _import("JSON", json.dumps(rows)))

    assert [(e["field"], e["code"]) for e in body["importMeasurements"]["userErrors"]] == [
        (["rows", "0"], "INVALID"),
        (["rows", "2", "value"], "INVALID"),
        (["rows", "3"], "INVALID"),
        (["rows", "4", "service"], "REQUIRED"),
        (["rows", "4", "note"], "INVALID"),
    ]
    assert await _stored(session) == []


def test_an_import_holds_at_most_ten_thousand_rows() -> None:
    line = "COST,billing,2026-09-01T00:00:00Z,1\n"
    parse(ImportFormat.CSV, "metric,service,at,value\n" + line * MAX_ROWS)

    with pytest.raises(DomainErrors) as refused:
        parse(ImportFormat.CSV, "metric,service,at,value\n" + line * (MAX_ROWS + 1))

    [error] = refused.value.errors
    assert (error.field, error.message) == (["content"], "an import holds at most 10000 rows")


async def test_an_import_costs_the_same_statements_for_ten_rows_or_a_thousand(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    await create_service(session, slug="billing")
    await create_service(session, slug="portal")

    def content(days: int) -> str:
        lines = [
            f"{metric},{slug},{(DAY - timedelta(days=day)).isoformat()},{day}"
            for day in range(days)
            for metric, slug in (("COST", "billing"), ("CUSTOM", "portal"))
        ]
        return "metric,service,at,value\n" + "\n".join(lines)

    await data(client, IMPORT, _import("CSV", content(1)))  # the caller is known from now on
    count_statements.reset()
    small = await data(client, IMPORT, _import("CSV", content(5)))
    few = count_statements.count
    count_statements.reset()
    large = await data(client, IMPORT, _import("CSV", content(500)))

    assert count_statements.count == few
    assert small["importMeasurements"]["created"] == 8
    assert large["importMeasurements"] == {
        "created": 990,
        "updated": 0,
        "unchanged": 10,
        "userErrors": [],
    }
    sources = await session.scalars(select(Measurement.source).distinct())
    assert list(sources) == [MeasurementSource.IMPORT]


HEADER = "metric,service,at,value,note\n"
GOOD_LINE = "COST,billing,2026-09-01T00:00:00Z,1,\n"


@pytest.mark.parametrize(
    ("format", "content", "field", "message"),
    [
        (
            "CSV",
            HEADER + GOOD_LINE + "COST,billing,2026-09-02T00:00:00Z,1\rCOST,billing\n",
            ["content"],
            "line 3: a carriage return (U+000D) without a line feed",
        ),
        ("CSV", "metric,service,at\r,value\n" + GOOD_LINE, ["content"], "line 1: a carriage"),
        (
            "CSV",
            HEADER + GOOD_LINE + "COST,billing,2026-09-02T00:00:00Z,1,a,b\n",
            ["rows", "1"],
            "line 3: the row does not match metric,service,at,value[,note]",
        ),
        (
            "CSV",
            HEADER + GOOD_LINE + GOOD_LINE.replace(",1,", ",ten,"),
            ["rows", "1", "value"],
            "line 3: value must be a number",
        ),
        (
            "CSV",
            HEADER + GOOD_LINE + "COST,billing,yesterday,1,\n",
            ["rows", "1", "at"],
            "line 3: at 'yesterday' is not an ISO 8601 time",
        ),
        (
            "JSON",
            '[{"metric": "COST",\n "service": ]',
            ["content"],
            "not valid JSON: Expecting value: line 2 column 13",
        ),
        (
            "JSON",
            '[{"metric": "COST", "service": "bill\\u0000ing", "at": "2026-09-01T00:00:00Z",'
            ' "value": 1}]',
            ["rows", "0", "service"],
            "service contains U+0000 (NUL): control characters are not accepted",
        ),
    ],
)
async def test_a_bad_line_is_a_user_error_naming_it_and_nothing_is_imported(
    client: httpx.AsyncClient,
    session: AsyncSession,
    format: str,
    content: str,
    field: list[str],
    message: str,
) -> None:
    await create_service(session, slug="billing")

    body = await data(client, IMPORT, _import(format, content))

    [error] = body["importMeasurements"]["userErrors"]
    assert (error["field"], error["code"]) == (field, "INVALID")
    assert error["message"].startswith(message), error["message"]
    assert await _stored(session) == []


async def test_crlf_lines_and_a_multiline_note_are_imported(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_service(session, slug="billing")
    content = HEADER.replace("\n", "\r\n") + 'COST,billing,2026-09-01T00:00:00Z,1,"a\r\n\tb"\r\n'

    body = await data(client, IMPORT, _import("CSV", content))

    assert body["importMeasurements"]["userErrors"] == []
    assert [row[4] for row in await _stored(session)] == ["a\r\n\tb"]


async def test_a_nul_in_the_content_is_refused_at_the_edge_naming_its_line(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_service(session, slug="billing")

    response = await client.post(
        "/graphql",
        json={"query": IMPORT, "variables": _import("CSV", HEADER + GOOD_LINE + "COST,bil\x00")},
    )

    assert [(e["message"], e["extensions"]["code"]) for e in response.json()["errors"]] == [
        (
            "input.content of importMeasurements contains U+0000 (NUL) on line 3:"
            " control characters are not accepted",
            "BAD_USER_INPUT",
        )
    ]
    assert await _stored(session) == []


def test_the_importer_itself_refuses_a_nul_naming_its_line() -> None:
    with pytest.raises(DomainErrors) as refused:
        parse(ImportFormat.CSV, HEADER + GOOD_LINE + "COST,bil\x00ling,2026-09-01T00:00:00Z,1\n")

    [error] = refused.value.errors
    assert (error.field, error.message) == (
        ["content"],
        "line 3 contains U+0000 (NUL): control characters are not accepted",
    )
