"""Access tokens: the OAuth 2.0 JWT bearer flow against the org's login URL, or a ready session.

authlib signs the assertion (RS256, expiring within three minutes, as Salesforce requires)
and posts it; simple-salesforce then gets the `session_id` and `instance_url` it returns.
Its own login would build `https://{domain}.salesforce.com`, and its password login is SOAP.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from authlib.integrations.requests_client import (  # type: ignore[import-untyped, unused-ignore]
    AssertionSession,
)
from authlib.oauth2 import OAuth2Error  # type: ignore[import-untyped, unused-ignore]
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from core.salesforce_settings import SalesforceOrgConfig
from salesforce.errors import SalesforceUnavailable
from salesforce.http import CALL_TIMEOUT, OrgSession

ASSERTION_LIFETIME_S = 180


@dataclass(frozen=True)
class Token:
    access_token: str = field(repr=False)
    instance_url: str


class TokenSource(Protocol):
    def current(self) -> Token:
        """The token in use, fetched first if there is none (runs in a worker thread)."""

    def renew(self, stale: Token) -> Token | None:
        """A new token after `stale` was refused; None when there is no way to get one."""


class ReadySession:
    """A session id given in the settings: used as is, never renewed."""

    def __init__(self, config: SalesforceOrgConfig) -> None:
        assert config.session_id is not None
        assert config.instance_url is not None
        self._token = Token(config.session_id, config.instance_url)

    def current(self) -> Token:
        return self._token

    def renew(self, stale: Token) -> Token | None:
        return None


class JwtBearer:
    """Tokens from the JWT bearer flow; one fetch at a time, shared by the org's threads."""

    def __init__(self, config: SalesforceOrgConfig, http: OrgSession) -> None:
        assert config.login_url
        assert config.private_key_path
        self._config = config
        self._http = http
        self._lock = threading.Lock()
        self._token: Token | None = None

    def current(self) -> Token:
        with self._locked():
            if self._token is None:
                self._token = self._fetch()
            return self._token

    def renew(self, stale: Token) -> Token | None:
        with self._locked():
            if self._token is None or self._token == stale:
                self._token = self._fetch()
            return self._token

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Another thread is fetching: wait for it, but no longer than this call may take."""
        if not self._lock.acquire(timeout=CALL_TIMEOUT.get() or self._http.default_timeout):
            raise SalesforceUnavailable(self._config.org_id, "no token within the deadline")
        try:
            yield
        finally:
            self._lock.release()

    def _fetch(self) -> Token:
        config = self._config
        login_url = (config.login_url or "").rstrip("/")
        client = AssertionSession(
            token_endpoint=f"{login_url}/services/oauth2/token",
            issuer=config.client_id,
            subject=config.username,
            audience=login_url,
            key=_read_key(config),
            alg="RS256",
            expires_in=ASSERTION_LIFETIME_S,
            default_timeout=CALL_TIMEOUT.get() or self._http.default_timeout,
            verify=self._http.verify,
            trust_env=self._http.trust_env,
        )
        try:
            answer: dict[str, Any] = client.refresh_token()
        except OAuth2Error as error:
            # The error code only: the description may echo the assertion.
            raise SalesforceUnavailable(config.org_id, f"token refused ({error.error})") from None
        finally:
            client.close()
        return Token(str(answer["access_token"]), str(answer["instance_url"]))


def _read_key(config: SalesforceOrgConfig) -> RSAKey:
    assert config.private_key_path is not None
    try:
        return RSAKey.import_key(config.private_key_path.read_bytes())
    except OSError as error:
        raise SalesforceUnavailable(
            config.org_id, f"cannot read private_key_path ({error.strerror})"
        ) from None
    except (JoseError, ValueError):
        raise SalesforceUnavailable(config.org_id, "private_key_path is not an RSA key") from None


def token_source(config: SalesforceOrgConfig, http: OrgSession) -> TokenSource:
    return JwtBearer(config, http) if config.uses_jwt else ReadySession(config)
