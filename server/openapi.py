"""`/openapi.json`: FastAPI's document, plus what no single route can declare.

The problem details schemas (core/problems.py describes problems under
application/problem+json only, so FastAPI never meets the `Problem` model), the ways to
sign in, and which operations take them: an operation open to anonymous callers under
the running settings also lists the empty requirement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from core.problems import problem_components
from core.settings import Settings
from identity.login import sessions

SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token of a trusted issuer (CATALOG_OIDC_ISSUERS); in dev "
        "with no issuer, the development token `serve` prints.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": sessions.COOKIE_NAME,
        "description": "The browser session a sign-in through /auth/login sets.",
    },
}
SIGNED_IN: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
# Per path: whether the settings let anonymous callers in.
ANONYMOUS: dict[str, Callable[[Settings], bool]] = {
    "/graphql": lambda settings: bool(settings.anonymous_read),
    "/api/feedback": lambda settings: settings.anonymous_feedback,
}


def describe_api(app: FastAPI, settings: Settings) -> None:
    """Make `app.openapi` complete FastAPI's document (which it builds once and caches)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        components = document.setdefault("components", {})
        components.setdefault("schemas", {}).update(problem_components())
        components["securitySchemes"] = SECURITY_SCHEMES
        for path, operations in document.get("paths", {}).items():
            anonymous = ANONYMOUS.get(path)
            if anonymous is None:
                continue
            security = SIGNED_IN + ([{}] if anonymous(settings) else [])
            for operation in operations.values():
                operation["security"] = security
        return document

    app.openapi = openapi  # type: ignore[method-assign]
