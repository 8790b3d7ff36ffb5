"""The webhook sender against a real receiver: signed, judged by the answer, never redirected."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from notifications.secrets import new_secret
from notifications.senders.http import retry_after
from notifications.senders.outcome import Outcome, Verdict
from notifications.senders.webhook import send_webhook
from notifications.targets import UrlRules
from tests.notifications.receivers import HttpReceiver

LOCAL = UrlRules(require_https=False, allow_private=True)
BODY = {"type": "sla.breached", "timestamp": "2026-12-06T03:00:00+00:00", "data": {"é": "ü"}}


async def send(
    client: httpx.AsyncClient, url: str, secret: str = "", rules: UrlRules = LOCAL
) -> Outcome:
    return await send_webhook(
        client,
        rules,
        url=url,
        secret=secret or new_secret(),
        delivery_id="msg_1",
        body=BODY,
        now=datetime.now(UTC),
    )


async def test_a_delivery_is_signed_and_its_signature_verifies(
    receiver: HttpReceiver, client: httpx.AsyncClient
) -> None:
    secret = new_secret()

    outcome = await send(client, receiver.url(), secret)

    assert outcome == Outcome.delivered()
    [request] = receiver.received
    assert Webhook(secret).verify(request.body, request.headers) == BODY
    assert request.body == json.dumps(BODY, separators=(",", ":"), ensure_ascii=False).encode()
    assert request.headers["webhook-id"] == "msg_1"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("ServiceCatalog")


async def test_another_secret_does_not_verify(
    receiver: HttpReceiver, client: httpx.AsyncClient
) -> None:
    await send(client, receiver.url(), new_secret())

    [request] = receiver.received
    with pytest.raises(Exception, match="signature"):
        Webhook(new_secret()).verify(request.body, request.headers)


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, Verdict.DELIVERED),
        (202, Verdict.DELIVERED),
        (500, Verdict.RETRY),
        (503, Verdict.RETRY),
        (408, Verdict.RETRY),
        (429, Verdict.RETRY),
        (302, Verdict.RETRY),
        (400, Verdict.DEAD),
        (401, Verdict.DEAD),
        (404, Verdict.DEAD),
        (410, Verdict.GONE),
    ],
)
async def test_the_answer_decides_the_outcome(
    receiver: HttpReceiver, client: httpx.AsyncClient, status: int, verdict: Verdict
) -> None:
    receiver.answer("/hook", status, location=receiver.url("/elsewhere"))

    outcome = await send(client, receiver.url())

    assert outcome.verdict is verdict
    assert receiver.at("/elsewhere") == []  # redirects are not followed
    if verdict is not Verdict.DELIVERED:
        assert outcome.error is not None
        assert outcome.error.startswith(f"HTTP {status}")


async def test_retry_after_is_read_on_429_and_503(
    receiver: HttpReceiver, client: httpx.AsyncClient
) -> None:
    receiver.answer("/busy", 429, retry_after="120")
    receiver.answer("/down", 503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    receiver.answer("/broken", 500, retry_after="120")

    assert (await send(client, receiver.url("/busy"))).retry_after == timedelta(seconds=120)
    assert (await send(client, receiver.url("/down"))).retry_after == timedelta(0)
    assert (await send(client, receiver.url("/broken"))).retry_after is None


def test_retry_after_dates_count_from_now() -> None:
    now = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)

    assert retry_after("Sun, 06 Dec 2026 03:02:00 GMT", now) == timedelta(minutes=2)
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None


async def test_a_receiver_that_is_down_is_retried(
    receiver: HttpReceiver, client: httpx.AsyncClient
) -> None:
    await receiver.stop()

    outcome = await send(client, receiver.url())

    assert outcome.verdict is Verdict.RETRY
    assert outcome.error is not None
    assert "could not reach" in outcome.error


async def test_a_receiver_slower_than_the_timeout_is_retried(
    receiver: HttpReceiver, client: httpx.AsyncClient
) -> None:
    receiver.answer("/hook", delay_s=2)

    outcome = await send(client, receiver.url())

    assert outcome.verdict is Verdict.RETRY
    assert outcome.error is not None
    assert "timed out" in outcome.error


async def test_a_private_address_is_refused_unless_allowed(
    receiver: HttpReceiver, client: httpx.AsyncClient
) -> None:
    public_only = UrlRules(require_https=False, allow_private=False)

    outcome = await send(client, receiver.url(), rules=public_only)

    assert outcome.verdict is Verdict.DEAD
    assert outcome.error is not None
    assert "private or local address" in outcome.error
    assert receiver.received == []
