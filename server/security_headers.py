"""Security headers on every HTTP response (`secure`'s ASGI middleware), refusals included.

- `X-Content-Type-Options: nosniff`: a JSON or text answer is never run as a script.
- `Referrer-Policy: no-referrer`: nothing here needs the Referer, and some of our URLs carry
  a secret in their query string (`/auth/dev?token=`, `/auth/callback?code=`) that a page
  must not hand on: not to another site, not even to our own access logs.
- `X-Frame-Options: DENY` and `Content-Security-Policy: frame-ancestors 'none'`: no page of
  ours is ever framed (clickjacking). The two HTML pages, GraphiQL and `/docs`, load
  everything from this origin and add a strict policy of their own (`default-src 'self'`,
  scripts from this origin only: graphql_schema/graphiql.py); a browser enforces both
  policies, and `secure` keeps a response's own policy, adding this one beside it.
- `Strict-Transport-Security` in prod only: dev is served over plain HTTP on localhost, where
  the browser would keep refusing HTTP for a year.
"""

from __future__ import annotations

from typing import cast

from fastapi import FastAPI
from secure import (
    ContentSecurityPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from secure.middleware import SecureASGIMiddleware
from starlette.types import ASGIApp

from core.settings import Settings

ONE_YEAR_S = 365 * 24 * 3600


def security_headers(settings: Settings) -> Secure:
    hsts = StrictTransportSecurity().max_age(ONE_YEAR_S).include_subdomains()
    return Secure(
        xcto=XContentTypeOptions().nosniff(),
        referrer=ReferrerPolicy().no_referrer(),
        xfo=XFrameOptions().deny(),
        csp=ContentSecurityPolicy().frame_ancestors("'none'"),
        hsts=None if settings.is_dev else hsts,
    )


def add_security_headers(app: FastAPI, settings: Settings) -> None:
    """Wrap the whole middleware stack, Starlette's error handler included.

    `add_middleware` would put the headers inside that handler, and the 500 it answers for
    an unhandled exception would go out without them. (OpenTelemetry's instrumentation
    wraps the stack the same way.)
    """
    headers = security_headers(settings)
    build_stack = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        wrapped = SecureASGIMiddleware(build_stack(), secure=headers)
        return cast(ASGIApp, wrapped)  # `secure` types ASGI messages as plain objects

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
