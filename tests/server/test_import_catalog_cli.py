"""`service-catalog import-catalog` on the Backstage examples: they import, re-import as
unchanged, a changed file updates only what changed, the broken ones are refused with their
reasons (nothing of them written), and --dry-run writes nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from catalog.orgs.models import OrgKind, SalesforceOrg
from core.db import make_engine, make_sessionmaker

COMMAND = Path(sys.executable).parent / "service-catalog"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The demo's production orgs, which the examples' salesforce.com/org-id annotations name.
ORGS = {"00D5g00000AcmCREAZ": "Global CRM", "00D5g00000AcmRvEAJ": "Revenue Cloud"}


def _command(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env["CATALOG_DATABASE_URL"] = url
    return subprocess.run(
        [str(COMMAND), "import-catalog", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _outcomes(run: subprocess.CompletedProcess[str]) -> list[str]:
    """`Component case-routing-engine: UNCHANGED` for each record line of the output."""
    return [line.split(" ", 1)[1] for line in run.stdout.splitlines()]


def _summary(run: subprocess.CompletedProcess[str]) -> str:
    return [line for line in run.stderr.splitlines() if not line.startswith("{")][-1]


@pytest.fixture
async def catalog(fresh_database: str) -> str:
    engine = make_engine(fresh_database)
    async with make_sessionmaker(engine)() as session, session.begin():
        for org_id, name in ORGS.items():
            session.add(
                SalesforceOrg(
                    org_id=org_id,
                    name=name,
                    instance_url="https://acme.my.salesforce.com",
                    kind=OrgKind.PRODUCTION,
                )
            )
    await engine.dispose()
    return fresh_database


async def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        rows = (await connection.execute(text(sql))).all()
    await engine.dispose()
    return [tuple(row) for row in rows]


def test_the_examples_import_then_reimport_unchanged_then_update_only_what_changed(
    catalog: str, tmp_path: Path
) -> None:
    first = _command(catalog, str(EXAMPLES / "backstage"))
    second = _command(catalog, str(EXAMPLES / "backstage"))
    changed = tmp_path / "backstage"
    shutil.copytree(EXAMPLES / "backstage", changed)
    component = changed / "11-component-customer-360-sync.yaml"
    component.write_text(component.read_text().replace('tier: "2"', "tier: TIER_1"))
    third = _command(catalog, str(changed))

    assert first.returncode == 0, first.stderr
    assert _summary(first) == "19 records: 15 created, 0 updated, 0 unchanged, 0 refused, 4 skipped"
    assert "Component case-routing-engine: CREATED" in _outcomes(first)
    assert second.returncode == 0, second.stderr
    assert _summary(second) == (
        "19 records: 0 created, 0 updated, 15 unchanged, 0 refused, 4 skipped"
    )
    assert third.returncode == 0, third.stderr
    updated = [line for line in _outcomes(third) if "UNCHANGED" not in line]
    assert [line for line in updated if "SKIPPED" not in line] == [
        "Component customer-360-sync: UPDATED (tier)"
    ]


async def test_the_broken_examples_are_refused_with_their_reasons_and_csv_rows_import(
    catalog: str,
) -> None:
    assert _command(catalog, str(EXAMPLES / "backstage")).returncode == 0

    run = _command(catalog, str(EXAMPLES / "backstage-broken"), str(EXAMPLES / "catalog-csv"))

    assert run.returncode == 1
    assert _outcomes(run) == [
        "Component payments-gateway: REFUSED: owner team 'payments' not found"
        " (spec.owner names a Group: a team slug)",
        "Component loyalty-points: REFUSED: dependency component:loyalty-ledger not found:"
        " no service 'loyalty-ledger' in the catalog or in this import",
        "Component partner-onboarding: REFUSED: the placeholder $text is not supported:"
        " Backstage resolves it when it reads the file; write the value itself",
        "Component marketing-site: REFUSED: lifecycle 'beta' is not one of experimental,"
        " production, deprecated (or PLANNED, BUILDING, LIVE, DEPRECATED, RETIRED)",
        "CSV knowledge-search: CREATED",
        "CSV quote-approvals: CREATED",
    ]
    slugs = await _rows(catalog, "SELECT slug FROM service ORDER BY slug")
    assert [slug for (slug,) in slugs] == [
        "case-routing-engine",
        "cpq-pricing-engine",
        "customer-360-sync",
        "invoice-bridge",
        "knowledge-search",
        "quote-approvals",
    ]


async def test_a_dry_run_writes_nothing_but_its_audit_event(catalog: str) -> None:
    run = _command(catalog, "--dry-run", str(EXAMPLES / "backstage"))

    assert run.returncode == 0, run.stderr
    assert _summary(run).startswith("dry run, nothing written: 19 records: 15 created")
    counts = "SELECT count(*) FROM service UNION ALL SELECT count(*) FROM team"
    assert await _rows(catalog, counts) == [(0,), (0,)]
    [(actor, details)] = await _rows(
        catalog, "SELECT actor, details::text FROM audit_event WHERE action = 'IMPORT_CATALOG'"
    )
    assert actor == "client:import-catalog@urn:service-catalog:cli"
    assert json.loads(str(details))["dryRun"] is True


def test_a_path_that_cannot_be_read_refuses_the_run(tmp_path: Path) -> None:
    run = _command("postgresql://unused/unused", str(tmp_path / "missing.yaml"))

    assert run.returncode == 2
    assert _summary(run) == (
        f"service-catalog import-catalog: refused: {tmp_path / 'missing.yaml'}:"
        " no such file or directory"
    )
