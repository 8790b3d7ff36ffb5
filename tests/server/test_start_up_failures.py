"""An operator whose database cannot be used gets one line saying why and exit status 2,
never a traceback; Python's warnings arrive as log lines like any other."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from core.db import make_engine
from core.db_failures import database_failure
from core.logs import route_warnings
from tests.identity.idp import free_port

COMMAND = Path(sys.executable).parent / "service-catalog"


def _run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env |= {"CATALOG_DATABASE_URL": database_url, "CATALOG_AUTO_MIGRATE": "false"}
    return subprocess.run(
        [str(COMMAND), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _only_line(stderr: str) -> str:
    # Warnings are log lines (JSON or console); the failure is the line naming the command.
    lines = [line for line in stderr.splitlines() if line.startswith("service-catalog:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize(
    "command", [["migrate"], ["serve", "--port", "0"], ["worker", "--once", "purge"]]
)
def test_a_stopped_database_is_one_line_and_exit_2(command: list[str]) -> None:
    stopped = f"postgresql://postgres@127.0.0.1:{free_port()}/catalog"

    ran = _run(stopped, *command)

    assert ran.returncode == 2, ran.stderr
    assert _only_line(ran.stderr).startswith("service-catalog: the database is unreachable:")


def test_a_refused_role_is_one_line_and_exit_2(server_url: str) -> None:
    url = make_url(server_url).set(username="no_such_role").render_as_string(hide_password=False)

    ran = _run(url, "migrate")

    assert ran.returncode == 2, ran.stderr
    assert _only_line(ran.stderr) == (
        'service-catalog: the database refused the credentials: role "no_such_role" does not exist'
    )


async def test_an_extension_the_server_lacks_is_named(fresh_database: str) -> None:
    engine = make_engine(fresh_database)
    try:
        with pytest.raises(DBAPIError) as raised:
            async with engine.connect() as connection:
                await connection.execute(text("CREATE EXTENSION no_such_extension"))
    finally:
        await engine.dispose()

    line = database_failure(raised.value)

    assert line is not None
    assert line.startswith("the database server cannot provide an extension the catalog needs:")
    assert "no_such_extension" in line


def test_a_bug_is_not_mistaken_for_a_database_failure() -> None:
    assert database_failure(KeyError("service")) is None


def test_a_python_warning_is_a_structured_log_line(json_logs: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        route_warnings()
        warnings.warn("this API is going away", DeprecationWarning, stacklevel=1)

    line = json_logs()[-1]
    assert line["event"] == "this API is going away"
    assert line["category"] == "DeprecationWarning"
    assert line["logger"] == "py.warnings"
    assert line["level"] == "warning"
