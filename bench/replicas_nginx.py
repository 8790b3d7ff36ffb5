"""deploy/nginx/service-catalog.conf run as it ships, by an unprivileged nginx on loopback.

Only the upstream's `server` lines and the `listen` line are rewritten (to the replicas'
ports and a free port); everything else is the operator's file. The tests
(tests/server/test_replicas.py) and the bench's `replicas` stage both run it this way.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.processes import stop_process

ROOT = Path(__file__).absolute().parent.parent
SITE = ROOT / "deploy" / "nginx" / "service-catalog.conf"
NGINX = Path("/usr/sbin/nginx")
_REPLICA_LINE = re.compile(r"^    server \S+ (?P<options>[^;]*);$")
_LISTEN_LINE = "    listen 8080;"
START_S = 15


class NginxFailed(RuntimeError):
    pass


def site(replicas: Sequence[str], listen: str) -> str:
    """The shipped site with its replicas (`host:port` each) and its `listen` address; each
    replica gets the options (max_fails, ...) of the first shipped `server` line."""
    lines = SITE.read_text().splitlines()
    found = [index for index, line in enumerate(lines) if _REPLICA_LINE.match(line)]
    if not found or lines.count(_LISTEN_LINE) != 1:
        raise NginxFailed(f"{SITE}: no upstream `server` line, or not one `listen 8080;`")
    first = _REPLICA_LINE.match(lines[found[0]])
    assert first is not None
    servers = [f"    server {address} {first['options']};" for address in replicas]
    rendered: list[str] = []
    for index, line in enumerate(lines):
        if index == found[0]:
            rendered += servers
        elif index not in found:
            rendered.append(f"    listen {listen};" if line == _LISTEN_LINE else line)
    return "\n".join(rendered) + "\n"


def main_config(prefix: Path, site_path: Path, *, access_log: bool) -> str:
    """The `nginx.conf` around the site: every path under `prefix`, in the foreground."""
    log = f"{prefix}/access.log" if access_log else "off"
    return f"""daemon off;
master_process off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {log};
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site_path};
}}
"""


@dataclass
class Nginx:
    port: int
    prefix: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def error_log(self) -> Path:
        return self.prefix / "error.log"

    def stop(self) -> None:
        stop_process(self.process, timeout_s=10, how=signal.SIGQUIT)


def start(
    prefix: Path,
    replicas: Sequence[str],
    *,
    port: int,
    access_log: bool = True,
    command_prefix: Sequence[str] = (),
) -> Nginx:
    """nginx in front of `replicas`, once it answers /healthz (through a replica)."""
    if not NGINX.exists():
        raise NginxFailed(f"{NGINX} is missing: apt-get install -y nginx")
    prefix.mkdir(parents=True, exist_ok=True)
    site_path = prefix / "service-catalog.conf"
    site_path.write_text(site(replicas, f"127.0.0.1:{port}"))
    config = prefix / "nginx.conf"
    config.write_text(main_config(prefix, site_path, access_log=access_log))
    error_log = prefix / "error.log"
    process = subprocess.Popen(
        [*command_prefix, str(NGINX), "-p", str(prefix), "-c", str(config), "-e", str(error_log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Nginx(port, prefix, process)
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = error_log.read_text() if error_log.exists() else ""
            raise NginxFailed(f"nginx exited with {process.returncode}: {text}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise NginxFailed(f"nginx did not answer /healthz within {START_S} s")
