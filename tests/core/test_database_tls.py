"""`CATALOG_DATABASE_URL` with libpq's TLS parameters, as managed PostgreSQL services hand
them out, connects over TLS (tests/tls_postgres.py: a cluster with a test CA's certificate)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from sqlalchemy import text

from core.db import make_engine
from core.db_tls import DatabaseTlsError, split_tls
from core.settings import SettingsError, load_settings
from tests.tls_postgres import server_binaries, tls_postgres

BINARIES = server_binaries()
needs_server = pytest.mark.skipif(
    BINARIES is None, reason="no SSL-capable PostgreSQL server binaries (initdb, pg_ctl) here"
)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_url(ca: trustme.CA) -> Iterator[str]:
    assert BINARIES is not None
    with tls_postgres(BINARIES, ca) as url:
        yield url


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "root.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


async def _encrypted(url: str) -> bool:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            )
            return bool(result.scalar_one())
    finally:
        await engine.dispose()


@needs_server
async def test_sslmode_require_connects_encrypted(tls_url: str) -> None:
    assert await _encrypted(f"{tls_url}?sslmode=require")


@needs_server
async def test_verify_full_with_the_servers_ca_connects(tls_url: str, ca_file: Path) -> None:
    assert await _encrypted(f"{tls_url}?sslmode=verify-full&sslrootcert={ca_file}")


@needs_server
async def test_verify_full_refuses_a_certificate_from_another_ca(
    tls_url: str, tmp_path: Path
) -> None:
    stranger = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))

    with pytest.raises(Exception, match="certificate verify failed"):
        await _encrypted(f"{tls_url}?sslmode=verify-full&sslrootcert={stranger}")


@needs_server
async def test_sslmode_disable_connects_in_the_clear(tls_url: str) -> None:
    assert not await _encrypted(f"{tls_url}?sslmode=disable")


def test_the_tls_parameters_leave_the_url_for_asyncpgs_ssl_argument() -> None:
    split = split_tls("postgresql+asyncpg://u:p@db.example.com:5432/catalog?sslmode=require")

    assert split.ssl == "require"
    assert split.url.render_as_string(hide_password=False) == (
        "postgresql+asyncpg://u:p@db.example.com:5432/catalog"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sslmode=sometimes", "sslmode must be one of disable, allow, prefer, require"),
        ("sslmode=verify-full&sslrootcert=/nonexistent/root.pem", "sslrootcert: no such file"),
        ("sslmode=require&sslmode=disable", "sslmode is given more than once"),
    ],
)
def test_unusable_tls_parameters_are_one_settings_error(query: str, message: str) -> None:
    url = f"postgresql://db.example.com/catalog?{query}"
    with pytest.raises(DatabaseTlsError, match=message):
        split_tls(url)
    with pytest.raises(SettingsError, match=message):
        load_settings(database_url=url, _env_file=None)
