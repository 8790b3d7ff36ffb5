"""The development identity: in dev with no identity provider, for the holder of a token.

`serve` makes a random token at start, prints a sign-in URL carrying it and writes it to
`CATALOG_DATA_DIR/dev-token` (mode 0600). A request presenting it, as `Authorization:
Bearer <token>` or as the cookie `GET /auth/dev?token=<token>` sets, acts as the
development person with `CATALOG_DEV_ROLES`. Any other request is anonymous, whatever
its address: behind a proxy on the same host every visitor comes from loopback.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from core.problems import problem
from core.settings import Settings
from identity.audit import AuditEntry, AuditOutcome, RequestFacts

COOKIE_NAME = "catalog_dev"
TOKEN_FILE_NAME = "dev-token"
SIGN_IN_PATH = "/auth/dev"

router = APIRouter(prefix="/auth", include_in_schema=False)


def applies(settings: Settings) -> bool:
    """The development identity exists only in dev with no identity provider configured."""
    return settings.is_dev and not settings.oidc_issuers


def new_token() -> str:
    return secrets.token_urlsafe(32)


def matches(expected: str | None, presented: str | None) -> bool:
    """Whether `presented` is the token, compared in constant time; never without a token."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


def app_token(app_state: Any) -> str | None:
    """The token the app was given (`create_app(dev_token=...)`), None when not in use."""
    token: str | None = getattr(app_state, "dev_token", None)
    return token


def sign_in_url(host: str, port: int, token: str) -> str:
    """The URL `serve` prints; a wildcard listening address is reached on loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    return f"http://{host}:{port}{SIGN_IN_PATH}?token={token}"


def exposure_warning(host: str) -> str | None:
    """What `serve` says when the development identity listens beyond this machine: anyone
    who learns the token (a shoulder, a shared terminal log) is an administrator."""
    if host == "localhost":
        return None
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host).is_loopback:
            return None
    return (
        f"warning: development sign-in on {host}, reachable beyond this machine: whoever holds"
        " the token is an administrator; configure CATALOG_OIDC_ISSUERS or serve on 127.0.0.1"
    )


def write_token_file(data_dir: Path, token: str) -> Path:
    """Write the token to `data_dir/dev-token`, readable by its owner only, atomically."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / TOKEN_FILE_NAME
    # mkstemp creates the file with mode 0600 before a byte of the token is in it.
    descriptor, temporary = tempfile.mkstemp(dir=data_dir, prefix=f".{TOKEN_FILE_NAME}.")
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(token)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return path


def remove_token_file(path: Path, token: str) -> None:
    """Remove the file at exit, unless another `serve` has written its own token there."""
    with contextlib.suppress(OSError):
        if path.read_text() == token:
            path.unlink()


@router.get("/dev")
async def dev_sign_in(request: Request, token: str | None = None) -> Response:
    """Sign this browser in as the development person, then open GraphiQL."""
    expected = app_token(request.app.state)
    if expected is None:
        return problem(404, "the development sign-in is off (only `serve` in dev, no issuer)")
    if not matches(expected, token):
        facts: RequestFacts = getattr(request.state, "facts", RequestFacts())
        entry = AuditEntry("LOGIN", AuditOutcome.DENIED, details={"reason": "wrong dev token"})
        await request.app.state.refusals.refused(entry, principal=None, facts=facts)
        return problem(
            401,
            "wrong or missing development token: open the URL `serve` printed",
            headers={"WWW-Authenticate": "Bearer"},
        )
    response = RedirectResponse("/graphql", status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        expected,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response
