"""A throwaway PostgreSQL cluster that speaks TLS with a certificate from a test CA.

Made with the machine's own PostgreSQL binaries (Debian's are built with OpenSSL; the
embedded server's are not), run as the `postgres` user when the tests run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import trustme

from tests.identity.idp import free_port

START_S = 30


def server_binaries() -> Path | None:
    """The directory of an SSL-capable `initdb` and `pg_ctl`, if this machine has one."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def tls_postgres(bindir: Path, ca: trustme.CA) -> Iterator[str]:
    """The cluster's URL (no TLS parameters: the caller adds them), removed on exit.

    Its directory is a new one under the system's temporary directory, not pytest's (whose
    parents only root may enter).
    """
    workdir = Path(tempfile.mkdtemp(prefix="catalog-tls-pg-"))
    pgdata = workdir / "pgdata"
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(workdir, account.pw_uid, account.pw_gid)
    subprocess.run(
        _as_server_user(
            [str(bindir / "initdb"), "-D", str(pgdata), "--auth=trust", "-U", "postgres"]
        ),
        check=True,
        capture_output=True,
    )
    certificate = ca.issue_cert("127.0.0.1", "localhost")
    certificate.private_key_pem.write_to_path(str(pgdata / "server.key"))
    certificate.cert_chain_pems[0].write_to_path(str(pgdata / "server.crt"))
    for name in ("server.key", "server.crt"):
        os.chmod(pgdata / name, 0o600)
        if os.geteuid() == 0:
            os.chown(pgdata / name, account.pw_uid, account.pw_gid)
    port = free_port()
    options = (
        f"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={workdir}"
        " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
    )
    log = workdir / "log"
    subprocess.run(
        _as_server_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(pgdata),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                str(START_S),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(pgdata), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)
