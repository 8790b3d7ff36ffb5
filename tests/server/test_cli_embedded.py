"""The README's first steps, end to end: seed the embedded database, serve it, stop with Ctrl-C.

Runs the installed `service-catalog` command in subprocesses with no CATALOG_DATABASE_URL,
so the embedded PostgreSQL is started (and must be stopped) by the command itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from graphql import TypeDefinitionNode, parse

from server.demo.organisation import TEAMS
from server.demo.services import SERVICES

COMMAND = Path(sys.executable).parent / "service-catalog"
SERVICES_QUERY = "{ services(first: 5) { totalCount edges { node { slug ownerTeam { name } } } } }"
TEAM_NAMES = {team.slug: team.name for team in TEAMS}
OWNER_TEAM_BY_SLUG = {service.slug: TEAM_NAMES[service.team] for service in SERVICES}


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """Short on purpose: the embedded server's Unix socket path must stay under 100 bytes."""
    path = Path(tempfile.mkdtemp(prefix="sc-", dir="/tmp"))
    yield path
    _stop_postgres(path)
    shutil.rmtree(path, ignore_errors=True)


def _environment(data_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env["CATALOG_DATA_DIR"] = str(data_dir)
    return env


def _run(data_dir: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    # cwd is the data dir so that no `.env` of the developer's is read.
    return subprocess.run(
        [str(COMMAND), *args],
        env=_environment(data_dir),
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _postmaster_pid(data_dir: Path) -> int | None:
    """The running embedded postmaster's pid, if there is one."""
    pid_file = data_dir / "postgres" / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None
    return pid if _is_running(pid) else None


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_postgres(data_dir: Path) -> None:
    """Only after a failure: a fast shutdown of a postmaster the command left running."""
    pid = _postmaster_pid(data_dir)
    if pid is None:
        return
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 20
    while _is_running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_ready(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited early:\n{log.read_text()}"
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"serve was not ready within 90 s:\n{log.read_text()}")


def _check_api(base_url: str) -> None:
    """The demo services over GraphQL, and the GraphiQL page for a browser."""
    response = httpx.post(f"{base_url}/graphql", json={"query": SERVICES_QUERY}, timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    services = body["data"]["services"]
    assert services["totalCount"] == len(SERVICES)
    nodes = [edge["node"] for edge in services["edges"]]
    assert len(nodes) == 5
    for node in nodes:
        assert node["ownerTeam"]["name"] == OWNER_TEAM_BY_SLUG[node["slug"]]

    page = httpx.get(f"{base_url}/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()


def _serve_and_stop(data_dir: Path, stop: signal.Signals) -> None:
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = data_dir / f"serve-{stop.name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(COMMAND), "serve", "--port", str(port)],
            env=_environment(data_dir),
            cwd=data_dir,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_ready(process, base_url, log)
            assert _postmaster_pid(data_dir) is not None
            _check_api(base_url)
            process.send_signal(stop)
            returncode = process.wait(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert returncode == 0, log.read_text()
    assert _postmaster_pid(data_dir) is None, "the embedded PostgreSQL is still running"


def test_seed_then_serve_the_demo_catalog_on_the_embedded_database(data_dir: Path) -> None:
    seeded = _run(data_dir, "seed", "--demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "demo catalog: 3 business units" in seeded.stderr
    # The demo's fake Salesforce announced three seasons: releases, org dates and freezes.
    assert "salesforce-trust-calendar: Trust maintenances of 7 of 7 instances read" in (
        seeded.stderr
    )
    assert "3 seasonal releases planned" in seeded.stderr
    assert _postmaster_pid(data_dir) is None, "seed left the embedded PostgreSQL running"

    again = _run(data_dir, "seed", "--demo")
    assert again.returncode == 0, again.stderr
    assert "nothing created" in again.stderr
    assert "0 created" in again.stderr
    assert "0 upgrade freezes made or moved" in again.stderr

    _serve_and_stop(data_dir, signal.SIGINT)


def test_serve_stops_the_embedded_database_on_sigterm(data_dir: Path) -> None:
    seeded = _run(data_dir, "seed", "--demo")
    assert seeded.returncode == 0, seeded.stderr

    _serve_and_stop(data_dir, signal.SIGTERM)


def test_schema_prints_the_sdl(tmp_path: Path) -> None:
    printed = subprocess.run(
        [str(COMMAND), "schema"],
        env=_environment(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    document = parse(printed.stdout)
    assert isinstance(document.definitions[0], TypeDefinitionNode)
    assert "type Query {" in printed.stdout
    assert "services(" in printed.stdout
