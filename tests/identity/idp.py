"""A real OIDC issuer for tests: discovery and JWKS served over HTTP on loopback, keys rotatable."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from typing import Any

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestIssuer:
    """Signs tokens with its current key and publishes the keys it trusts."""

    __test__ = False

    def __init__(self, *, public_host: str = "127.0.0.1") -> None:
        """`public_host`: the host in `iss` and in the discovery document (like Keycloak's
        KC_HOSTNAME); the server itself listens on 127.0.0.1 only."""
        self.port = free_port()
        self.issuer = f"http://{public_host}:{self.port}"
        self.internal = f"http://127.0.0.1:{self.port}"
        self.keys = [self._new_key()]
        self.jwks_requests = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def _new_key() -> RSAKey:
        return RSAKey.generate_key(2048, parameters={"kid": uuid.uuid4().hex[:8], "use": "sig"})

    @property
    def key(self) -> RSAKey:
        return self.keys[-1]

    def rotate(self) -> None:
        """Publish a new key and sign with it from now on (the old key stays published)."""
        self.keys.append(self._new_key())

    def token(self, *, key: RSAKey | None = None, header: dict[str, Any] | None = None,
              **claims: Any) -> str:  # fmt: skip
        signing_key = key or self.key
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": "catalog-api",
            "sub": "alice",
            "iat": now,
            "exp": now + 300,
            **claims,
        }
        payload = {name: value for name, value in payload.items() if value is not None}
        protected = {"alg": "RS256", "kid": signing_key.kid, **(header or {})}
        return jwt.encode(protected, payload, signing_key)

    def _app(self) -> Starlette:
        async def discovery(request: Request) -> JSONResponse:
            return JSONResponse(
                {
                    "issuer": self.issuer,
                    "jwks_uri": f"{self.issuer}/jwks",
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "userinfo_endpoint": f"{self.issuer}/userinfo",
                    "end_session_endpoint": f"{self.issuer}/logout",
                }
            )

        async def jwks(request: Request) -> JSONResponse:
            self.jwks_requests += 1
            return JSONResponse({"keys": [key.as_dict(private=False) for key in self.keys]})

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/jwks", jwks),
            ]
        )

    def start(self) -> None:
        config = uvicorn.Config(self._app(), host="127.0.0.1", port=self.port, log_level="error")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test issuer did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
