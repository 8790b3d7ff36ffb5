"""Webhook deliveries, signed per the Standard Webhooks spec.

The body is the delivery's stored `body` as compact JSON; `webhook-id` is the delivery's id,
the same on every retry, so a receiver can drop a repeat; `webhook-timestamp` is the time of
this attempt, and `webhook-signature` signs `id.timestamp.body` with the channel's secret.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from notifications.senders.http import post_json
from notifications.senders.outcome import Outcome
from notifications.targets import UrlRules


def compact_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def signature_headers(
    secret: str, delivery_id: str, content: bytes, at: datetime
) -> dict[str, str]:
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery_id, at, content),
    }


async def send_webhook(
    client: httpx.AsyncClient,
    rules: UrlRules,
    *,
    url: str,
    secret: str,
    delivery_id: str,
    body: dict[str, Any],
    now: datetime,
) -> Outcome:
    content = compact_json(body)
    headers = signature_headers(secret, delivery_id, content, now)
    return await post_json(client, url, content, rules, headers)
