"""Which way a claimed delivery goes: by its channel's kind, or by email to its person."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from core.settings import Settings
from notifications.models import ChannelKind
from notifications.senders.chat import send_slack, send_teams
from notifications.senders.claimed import ClaimedDelivery
from notifications.senders.email import EmailSender
from notifications.senders.http import url_rules
from notifications.senders.message import Message
from notifications.senders.outcome import Outcome
from notifications.senders.webhook import send_webhook

CHANNEL_DISABLED = "channel disabled"
CHANNEL_DELETED = "channel deleted"


class Senders:
    def __init__(self, settings: Settings, *, http: httpx.AsyncClient, email: EmailSender) -> None:
        self._settings = settings
        self._http = http
        self._email = email
        self._rules = url_rules(settings)

    async def send(self, delivery: ClaimedDelivery) -> Outcome:
        message = Message.from_stored(delivery.message, self._settings.public_url)
        if delivery.recipient is not None:
            return await self._email.send(
                delivery_id=str(delivery.id), addresses=[delivery.recipient], message=message
            )
        channel = delivery.channel
        if channel is None:
            return Outcome.dead(CHANNEL_DELETED)
        if not channel.active:
            return Outcome.dead(CHANNEL_DISABLED)
        match channel.kind:
            case ChannelKind.WEBHOOK:
                return await send_webhook(
                    self._http,
                    self._rules,
                    url=channel.target,
                    secret=channel.secret,
                    delivery_id=str(delivery.id),
                    body=delivery.body,
                    now=datetime.now(UTC),
                )
            case ChannelKind.SLACK:
                return await send_slack(
                    self._http, self._rules, url=channel.target, message=message
                )
            case ChannelKind.TEAMS:
                return await send_teams(
                    self._http, self._rules, url=channel.target, message=message
                )
            case ChannelKind.EMAIL:
                addresses = [part.strip() for part in channel.target.split(",") if part.strip()]
                return await self._email.send(
                    delivery_id=str(delivery.id), addresses=addresses, message=message
                )
