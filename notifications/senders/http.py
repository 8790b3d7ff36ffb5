"""Posting JSON to a receiver's URL (webhooks, Slack, Teams) and judging its answer.

The URL is checked again before each send (its host may resolve elsewhere by now);
redirects are not followed, so a 3xx is a failure like a 5xx. The body of an answer is
not read beyond a short excerpt for the delivery's `last_error`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from core.settings import Settings
from notifications.senders.outcome import Outcome
from notifications.targets import TargetRefused, UrlRules, check_resolved, check_url

USER_AGENT = "ServiceCatalog-Notifications/1.0"
EXCERPT_BYTES = 200
RETRYABLE = frozenset({408, 429})
HONOURS_RETRY_AFTER = frozenset({429, 503})


def url_rules(settings: Settings) -> UrlRules:
    return UrlRules(
        require_https=not settings.is_dev, allow_private=bool(settings.webhook_allow_private)
    )


def make_client(*, connect_timeout_s: float, total_timeout_s: float) -> httpx.AsyncClient:
    timeout = httpx.Timeout(total_timeout_s, connect=connect_timeout_s)
    return httpx.AsyncClient(follow_redirects=False, timeout=timeout, trust_env=False)


async def post_json(
    client: httpx.AsyncClient,
    url: str,
    content: bytes,
    rules: UrlRules,
    headers: Mapping[str, str] | None = None,
) -> Outcome:
    """POST `content` (JSON bytes) to `url`; what came of it."""
    try:
        url = check_url(url, rules)
        await check_resolved(url, rules)
    except TargetRefused as refused:
        return Outcome.dead(f"the URL was refused: it {refused}")
    sent = {"content-type": "application/json", "user-agent": USER_AGENT, **(headers or {})}
    try:
        async with client.stream("POST", url, content=content, headers=sent) as response:
            return await judge(response)
    except httpx.TimeoutException as error:
        return Outcome.retry(f"timed out ({type(error).__name__})")
    except httpx.HTTPError as error:
        return Outcome.retry(f"could not reach the receiver: {str(error) or type(error).__name__}")


async def judge(response: httpx.Response) -> Outcome:
    status = response.status_code
    if 200 <= status < 300:
        return Outcome.delivered()
    error = f"HTTP {status} {response.reason_phrase}".rstrip() + await _excerpt(response)
    if status == 410:
        return Outcome.gone(error)
    if 300 <= status < 400:
        location = response.headers.get("location", "elsewhere")
        return Outcome.retry(f"{error}: redirected to {location} (redirects are not followed)")
    if status >= 500 or status in RETRYABLE:
        wait = (
            retry_after(response.headers.get("retry-after"))
            if status in HONOURS_RETRY_AFTER
            else None
        )
        return Outcome.retry(error, wait)
    return Outcome.dead(error)


def retry_after(value: str | None, now: datetime | None = None) -> timedelta | None:
    """A Retry-After header (seconds or an HTTP date) as a delay; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - (now or datetime.now(UTC)), timedelta(0))


async def _excerpt(response: httpx.Response) -> str:
    head = b""
    async for chunk in response.aiter_raw():
        head += chunk
        if len(head) >= EXCERPT_BYTES:
            break
    text = head[:EXCERPT_BYTES].decode(errors="replace").strip()
    return f": {' '.join(text.split())}" if text else ""
