"""libpq's TLS parameters in a database URL (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`,
what every managed PostgreSQL hands out) translated for asyncpg under SQLAlchemy.

SQLAlchemy passes the URL's query to `asyncpg.connect` as keyword arguments, and asyncpg
takes none of those names (`TypeError`); it takes one `ssl` argument instead: a mode or an
`ssl.SSLContext`. The modes mean what libpq's documentation says (`sslmode` table):
`require` encrypts without checking the certificate, unless a root certificate is given,
when it checks it as `verify-ca` does.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

TLS_PARAMETERS = frozenset({"sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword"})
MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


class DatabaseTlsError(ValueError):
    """The URL's TLS parameters cannot be used; the message names the parameter."""


@dataclass(frozen=True)
class TlsUrl:
    url: URL
    ssl: ssl.SSLContext | str | None


def _one(url: URL, name: str) -> str | None:
    value = url.query.get(name)
    if isinstance(value, tuple):
        raise DatabaseTlsError(f"{name} is given more than once in the database URL")
    return value


def _context(
    mode: str, rootcert: str | None, cert: str | None, key: str | None, password: str | None
) -> ssl.SSLContext:
    verify = mode in ("verify-ca", "verify-full") or rootcert is not None
    try:
        if verify:
            cafile = None if rootcert is None else _readable(rootcert, "sslrootcert")
            context = ssl.create_default_context(cafile=cafile)
            context.check_hostname = mode == "verify-full"
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if cert is not None:
            context.load_cert_chain(
                _readable(cert, "sslcert"),
                None if key is None else _readable(key, "sslkey"),
                password,
            )
    except ssl.SSLError as error:
        raise DatabaseTlsError(f"the database URL's TLS files could not be used: {error}") from None
    return context


def _readable(path: str, name: str) -> str:
    if not Path(path).is_file():
        raise DatabaseTlsError(f"{name}: no such file: {path}")
    return path


def split_tls(url: str | URL) -> TlsUrl:
    """The URL without its TLS parameters, and asyncpg's `ssl` argument made of them (None:
    asyncpg's own default, `prefer`)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if not TLS_PARAMETERS & set(parsed.query):
        return TlsUrl(parsed, None)
    mode = _one(parsed, "sslmode") or "prefer"
    if mode not in MODES:
        raise DatabaseTlsError(f"sslmode must be one of {', '.join(MODES)}; got {mode!r}")
    rootcert, cert, key, password = (
        _one(parsed, name) for name in ("sslrootcert", "sslcert", "sslkey", "sslpassword")
    )
    bare = parsed.difference_update_query(TLS_PARAMETERS)
    if mode == "disable":
        return TlsUrl(bare, "disable")
    if rootcert is None and cert is None and mode in ("allow", "prefer", "require"):
        return TlsUrl(bare, mode)
    if mode in ("allow", "prefer") and cert is None:
        return TlsUrl(bare, mode)
    return TlsUrl(bare, _context(mode, rootcert, cert, key, password))
