"""`CATALOG_RETENTION_<KIND>_DAYS`: 0 keeps a kind forever where it may, else at least its
minimum; a period under it stops the CLI with one line naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.retention_settings import KPI_MINIMUM_DAYS, RETENTION_BOUNDS
from core.settings import SettingsError, load_settings
from service_levels.sla_actions import MAX_WINDOW_DAYS

SERVICE_CATALOG = Path(sys.executable).with_name("service-catalog")


def settings(**overrides: int) -> None:
    load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


def test_the_kpi_minimum_keeps_the_longest_window_and_the_one_before_it() -> None:
    assert KPI_MINIMUM_DAYS == 2 * MAX_WINDOW_DAYS


def test_every_default_is_within_its_bounds() -> None:
    defaults = load_settings(database_url="postgresql://unused/unused", _env_file=None)

    assert {name: getattr(defaults, name) for name in RETENTION_BOUNDS} == {
        "retention_audit_days": 400,
        "retention_history_days": 0,
        "retention_requests_days": 0,
        "retention_incidents_days": 0,
        "retention_measurements_days": 0,
        "retention_sla_events_days": 1095,
        "retention_feedback_days": 365,
        "retention_people_days": 90,
        "retention_idempotency_keys_days": 1,
        "retention_sign_in_states_days": 1,
        "retention_deliveries_days": 90,
        "retention_salesforce_activity_days": 400,
        "retention_data_access_days": 400,
    }


@pytest.mark.parametrize(
    ("field", "days", "message"),
    [
        ("retention_audit_days", 89, "at least 90 days, or 0 to keep them forever (got 89)"),
        ("retention_history_days", 30, "at least 90 days, or 0 to keep them forever (got 30)"),
        ("retention_requests_days", 731, "at least 732 days, or 0 to keep them forever (got 731)"),
        ("retention_incidents_days", 365, "at least 732 days, or 0 to keep them forever (got 365)"),
        ("retention_measurements_days", 1, "at least 732 days, or 0 to keep them forever (got 1)"),
        (
            "retention_sla_events_days",
            400,
            "at least 732 days, or 0 to keep them forever (got 400)",
        ),
        ("retention_feedback_days", 29, "at least 30 days, or 0 to keep them forever (got 29)"),
        ("retention_people_days", -1, "at least 30 days, or 0 to keep them forever (got -1)"),
        ("retention_idempotency_keys_days", 0, "at least 1 day (got 0)"),
        ("retention_sign_in_states_days", 0, "at least 1 day (got 0)"),
        ("retention_sign_in_states_days", 31, "at most 30 days (got 31)"),
    ],
)
def test_a_period_out_of_its_bounds_is_refused_naming_the_setting(
    field: str, days: int, message: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        settings(**{field: days})

    assert str(refused.value) == f"CATALOG_{field.upper()}: {message}"


@pytest.mark.parametrize("field", ["retention_audit_days", "retention_people_days"])
def test_zero_keeps_a_kind_forever_and_the_minimum_is_accepted(field: str) -> None:
    settings(**{field: 0})
    settings(**{field: RETENTION_BOUNDS[field].minimum})


def test_the_cli_stops_with_one_line_naming_the_setting(tmp_path: Path) -> None:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")
    }
    environment |= {
        "CATALOG_RETENTION_REQUESTS_DAYS": "30",
        "CATALOG_DATA_DIR": str(tmp_path / "data"),
    }

    result = subprocess.run(
        [str(SERVICE_CATALOG), "purge", "--dry-run"],
        env=environment,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "service-catalog: invalid setting CATALOG_RETENTION_REQUESTS_DAYS: at least 732 days,"
        " or 0 to keep them forever (got 30)"
    ]
    assert not (tmp_path / "data").exists()  # stopped before touching any database
