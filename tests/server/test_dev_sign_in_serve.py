"""`service-catalog serve` in dev with no issuer: the printed sign-in URL, the token file,
and Debian's nginx in front of it on the same host (every visitor then comes from
loopback, and must still be anonymous without the token)."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from server import dev_sign_in
from tests import database
from tests.graphql import without_cost

COMMAND = Path(sys.executable).parent / "service-catalog"
NGINX = Path("/usr/sbin/nginx")
SIGN_IN_LINE = re.compile(r"^Development sign-in: (http://\S+)$", re.MULTILINE)
VIEWER = {"query": "{ viewer { roles person { displayName } } }"}
WAIT_S = 90


@dataclass(frozen=True)
class Served:
    base_url: str
    sign_in_url: str
    token: str
    data_dir: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{url}: the server exited early:\n{log.read_text()}"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {WAIT_S} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes], stop: signal.Signals) -> int:
    if process.poll() is None:
        process.send_signal(stop)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def _is_the_development_admin(response: httpx.Response) -> bool:
    assert response.status_code == 200, response.text
    viewer = response.json()["data"]["viewer"] or {}
    person = viewer.get("person") or {}
    return person.get("displayName") == "Development user" and "ADMIN" in viewer["roles"]


@pytest.fixture(scope="module")
async def own_database(server_url: str, template: str) -> AsyncIterator[str]:
    name = await database.clone(server_url, template, prefix="sc_fresh")
    yield database.with_database(server_url, name)
    await database.drop(server_url, name)


@pytest.fixture(scope="module")
def served(own_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`serve` on a free port, against a database of its own; stopped with Ctrl-C after."""
    home = tmp_path_factory.mktemp("serve")
    data_dir = home / "data"  # not there yet: serve makes it
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env |= {"CATALOG_DATABASE_URL": own_database, "CATALOG_DATA_DIR": str(data_dir)}
    port = _free_port()
    log = home / "serve.log"
    with log.open("wb") as output:
        # cwd is a folder of its own so that no `.env` of the developer's is read.
        process = subprocess.Popen(
            [str(COMMAND), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=home,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_for(f"{base_url}/readyz", process, log)
        found = SIGN_IN_LINE.search(log.read_text())
        assert found is not None, log.read_text()
        token = found[1].rpartition("token=")[2]
        yield Served(base_url, found[1], token, data_dir, log)
    finally:
        returncode = _stop(process, signal.SIGINT)
    assert returncode == 0, log.read_text()
    assert not (data_dir / dev_sign_in.TOKEN_FILE_NAME).exists(), "the token outlived serve"


@pytest.fixture(scope="module")
def nginx(served: Served, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's nginx on a free port, proxying everything to `serve` (no forwarding headers)."""
    if not NGINX.exists():
        message = f"{NGINX} is missing: apt-get install -y nginx"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    prefix = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    config = prefix / "nginx.conf"
    config.write_text(
        f"""
daemon off;
master_process off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{ proxy_pass {served.base_url}; }}
    }}
}}
"""
    )
    log = prefix / "error.log"
    process = subprocess.Popen(
        [str(NGINX), "-p", str(prefix), "-c", str(config), "-e", str(log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process, signal.SIGQUIT)


def test_serve_prints_the_sign_in_url_and_writes_the_token_for_its_owner_only(
    served: Served,
) -> None:
    token_file = served.data_dir / dev_sign_in.TOKEN_FILE_NAME

    assert served.sign_in_url == f"{served.base_url}/auth/dev?token={served.token}"
    assert len(served.token) >= 40
    assert token_file.read_text() == served.token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


def test_the_printed_url_signs_the_browser_in_as_the_development_person(served: Served) -> None:
    with httpx.Client(follow_redirects=True) as browser:
        opened = browser.get(served.sign_in_url, headers={"Accept": "text/html"})
        viewer = browser.post(f"{served.base_url}/graphql", json=VIEWER)

    assert opened.status_code == 200
    assert [step.status_code for step in opened.history] == [303]
    assert opened.url == f"{served.base_url}/graphql"
    assert "graphiql" in opened.text.lower()
    assert _is_the_development_admin(viewer), viewer.text


def test_a_request_to_serve_without_the_token_is_anonymous(served: Served) -> None:
    response = httpx.post(f"{served.base_url}/graphql", json=VIEWER)

    assert without_cost(response.json()) == {"data": {"viewer": None}}


def test_behind_nginx_on_the_same_host_a_visitor_is_anonymous_not_admin(
    served: Served, nginx: str
) -> None:
    response = httpx.post(f"{nginx}/graphql", json=VIEWER)

    assert response.status_code == 200, response.text
    assert without_cost(response.json()) == {"data": {"viewer": None}}


def test_behind_nginx_the_token_still_signs_in(served: Served, nginx: str) -> None:
    headers = {"Authorization": f"Bearer {served.token}"}

    response = httpx.post(f"{nginx}/graphql", json=VIEWER, headers=headers)

    assert _is_the_development_admin(response), response.text
