"""Web origins (`scheme://host[:port]`), written as browsers send them in `Origin`."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """The origin of an http(s) URL: lowercase, default port left out; None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


def exact_origin(value: str) -> str:
    """`value` as browsers send it, if it is an origin and nothing more; else ValueError."""
    if value.strip() == "*":
        raise ValueError(
            "`*` is refused: credentials are allowed, so list each origin"
            " (e.g. https://app.example.com)"
        )
    origin = origin_of(value)
    if origin is None or _has_more_than_an_origin(value.strip()):
        raise ValueError(
            f"{value!r} is not an origin: scheme://host[:port], e.g. https://app.example.com"
        )
    return origin


def _has_more_than_an_origin(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.path not in ("", "/")
        or bool(parts.query or parts.fragment)
        or parts.username is not None
        or url.endswith(("?", "#"))
    )
