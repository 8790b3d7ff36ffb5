"""Slack and Microsoft Teams incoming webhooks: the message laid out as each one expects.

Slack: `text` (the fallback shown in notifications) and `blocks`, a header, a section per
line and a button to the link. Teams: a message carrying one Adaptive Card (1.4).
"""

from __future__ import annotations

from typing import Any

import httpx

from notifications.senders.http import post_json
from notifications.senders.message import Message
from notifications.senders.outcome import Outcome
from notifications.senders.webhook import compact_json
from notifications.targets import UrlRules

# Slack's limits: 150 characters in a header, 3000 in a section, 50 blocks a message.
SLACK_HEADER_CHARS = 150
SLACK_SECTION_CHARS = 3000
SLACK_MAX_LINES = 47
OPEN_LABEL = "Open in the catalog"


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": message.title[:SLACK_HEADER_CHARS]},
        }
    ]
    for line in message.lines[:SLACK_MAX_LINES]:
        text = slack_escape(line)[:SLACK_SECTION_CHARS]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if message.link:
        button = {"type": "plain_text", "text": OPEN_LABEL}
        blocks.append(
            {
                "type": "actions",
                "elements": [{"type": "button", "text": button, "url": message.link}],
            }
        )
    return {"text": slack_escape(message.plain_text()), "blocks": blocks}


def teams_payload(message: Message) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": message.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    body += [{"type": "TextBlock", "text": line, "wrap": True} for line in message.lines]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": OPEN_LABEL, "url": message.link}]
    attachment = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": card,
    }
    return {"type": "message", "attachments": [attachment]}


async def send_slack(
    client: httpx.AsyncClient, rules: UrlRules, *, url: str, message: Message
) -> Outcome:
    return await post_json(client, url, compact_json(slack_payload(message)), rules)


async def send_teams(
    client: httpx.AsyncClient, rules: UrlRules, *, url: str, message: Message
) -> Outcome:
    return await post_json(client, url, compact_json(teams_payload(message)), rules)
