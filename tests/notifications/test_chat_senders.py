"""Slack and Teams incoming webhooks: the message as each one lays it out, sent for real."""

from __future__ import annotations

import json

import httpx

from notifications.senders.chat import send_slack, send_teams, slack_payload, teams_payload
from notifications.senders.message import Message
from notifications.senders.outcome import Verdict
from notifications.targets import UrlRules
from tests.notifications.receivers import HttpReceiver

LOCAL = UrlRules(require_https=False, allow_private=True)
STORED = {
    "title": "SLA breached: Payments <core>",
    "lines": ["Availability 99.2 % < 99.9 %", "Window: December"],
    "link": "/services/42",
}
MESSAGE = Message.from_stored(STORED, "https://catalog.example.test/")


def test_a_link_is_made_absolute_with_the_public_url_and_dropped_without_one() -> None:
    assert MESSAGE.link == "https://catalog.example.test/services/42"
    assert Message.from_stored(STORED, None).link is None
    assert Message.from_stored({**STORED, "link": None}, "https://c.test").link is None


def test_slack_gets_a_fallback_text_and_a_block_per_line() -> None:
    assert slack_payload(MESSAGE) == {
        "text": (
            "SLA breached: Payments &lt;core&gt;\nAvailability 99.2 % &lt; 99.9 %\n"
            "Window: December\nhttps://catalog.example.test/services/42"
        ),
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": "SLA breached: Payments <core>"},
            },
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "Availability 99.2 % &lt; 99.9 %"},
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": "Window: December"}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in the catalog"},
                        "url": "https://catalog.example.test/services/42",
                    }
                ],
            },
        ],
    }


def test_teams_gets_an_adaptive_card() -> None:
    payload = teams_payload(MESSAGE)

    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert [block["text"] for block in card["body"]] == [STORED["title"], *STORED["lines"]]
    assert card["body"][0]["weight"] == "Bolder"
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open in the catalog",
            "url": "https://catalog.example.test/services/42",
        }
    ]


async def test_slack_and_teams_receive_their_payloads_as_json(
    receiver: HttpReceiver, client: httpx.AsyncClient
) -> None:
    slack = await send_slack(client, LOCAL, url=receiver.url("/slack"), message=MESSAGE)
    teams = await send_teams(client, LOCAL, url=receiver.url("/teams"), message=MESSAGE)

    assert (slack.verdict, teams.verdict) == (Verdict.DELIVERED, Verdict.DELIVERED)
    [to_slack] = receiver.at("/slack")
    [to_teams] = receiver.at("/teams")
    assert json.loads(to_slack.body) == slack_payload(MESSAGE)
    assert json.loads(to_teams.body) == teams_payload(MESSAGE)
    assert to_slack.headers["content-type"] == "application/json"
    assert "webhook-signature" not in to_slack.headers


async def test_chat_answers_are_judged_like_webhooks(
    receiver: HttpReceiver, client: httpx.AsyncClient
) -> None:
    receiver.answer("/archived", 410)
    receiver.answer("/busy", 503)
    receiver.answer("/bad", 400)

    outcomes = [
        (await send_slack(client, LOCAL, url=receiver.url(path), message=MESSAGE)).verdict
        for path in ("/archived", "/busy", "/bad")
    ]

    assert outcomes == [Verdict.GONE, Verdict.RETRY, Verdict.DEAD]
