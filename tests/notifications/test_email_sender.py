"""The email sender against a real SMTP server: one message per address, text and HTML."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notifications.senders.email import NOT_CONFIGURED, EmailSender, SmtpServer
from notifications.senders.message import Message
from notifications.senders.outcome import Outcome, Verdict
from tests.identity.idp import free_port
from tests.notifications.receivers import SmtpCapture

FROM = "Service Catalog <catalog@example.test>"
MESSAGE = Message(
    title="Your idea shipped",
    lines=("Faster <b>exports</b> & more", "Release 4.2"),
    link="https://catalog.example.test/feedback/7",
)


@pytest.fixture
def smtp() -> Iterator[SmtpCapture]:
    with SmtpCapture() as smtp:
        yield smtp


def sender(url: str | None) -> EmailSender:
    return EmailSender(url, FROM, timeout_s=2)


async def send(url: str | None, *addresses: str) -> Outcome:
    return await sender(url).send(delivery_id="d-1", addresses=list(addresses), message=MESSAGE)


async def test_each_address_gets_its_own_message_in_text_and_html(smtp: SmtpCapture) -> None:
    outcome = await send(smtp.url, "ana@example.test", "bo@example.test")

    assert outcome == Outcome.delivered()
    assert [rcpts for _, rcpts in smtp.envelopes] == [["ana@example.test"], ["bo@example.test"]]
    [email] = smtp.to("ana@example.test")
    assert email["From"] == FROM
    assert email["Subject"] == "Your idea shipped"
    assert email["Message-ID"] == "<d-1@example.test>"
    assert email["X-Catalog-Delivery-Id"] == "d-1"
    text = email.get_body(("plain",))
    html = email.get_body(("html",))
    assert text is not None
    assert html is not None
    assert text.get_content().splitlines() == [
        "Your idea shipped",
        "Faster <b>exports</b> & more",
        "Release 4.2",
        "https://catalog.example.test/feedback/7",
    ]
    content = html.get_content()
    assert "<p>Faster &lt;b&gt;exports&lt;/b&gt; &amp; more</p>" in content
    assert '<a href="https://catalog.example.test/feedback/7">' in content


async def test_a_permanent_refusal_is_final_and_the_others_still_get_it(
    smtp: SmtpCapture,
) -> None:
    smtp.refuse["gone@example.test"] = "550 5.1.1 No such user"

    outcome = await send(smtp.url, "gone@example.test", "bo@example.test")

    assert outcome.verdict is Verdict.DEAD
    assert outcome.error == "gone@example.test refused: 550 5.1.1 No such user"
    assert len(smtp.to("bo@example.test")) == 1


async def test_a_temporary_refusal_is_retried(smtp: SmtpCapture) -> None:
    smtp.refuse["full@example.test"] = "452 4.2.2 Mailbox full"

    outcome = await send(smtp.url, "full@example.test")

    assert outcome.verdict is Verdict.RETRY
    assert outcome.error == "full@example.test refused: 452 4.2.2 Mailbox full"


async def test_a_server_that_is_down_is_retried() -> None:
    outcome = await send(f"smtp://127.0.0.1:{free_port()}", "ana@example.test")

    assert outcome.verdict is Verdict.RETRY
    assert outcome.error is not None
    assert outcome.error.startswith("SMTP: ")


async def test_without_an_smtp_url_the_delivery_waits_saying_why() -> None:
    assert await send(None, "ana@example.test") == Outcome.retry(NOT_CONFIGURED)


def test_the_smtp_url_gives_the_server_tls_and_login() -> None:
    assert SmtpServer.from_url("smtps://mailer:p%40ss@mail.example.test:2465") == SmtpServer(
        hostname="mail.example.test",
        port=2465,
        implicit_tls=True,
        username="mailer",
        password="p@ss",
    )
    assert SmtpServer.from_url("smtp://relay.internal") == SmtpServer(
        hostname="relay.internal", port=None, implicit_tls=False, username=None, password=None
    )
