"""Email deliveries over SMTP (CATALOG_SMTP_URL): one message per address.

`smtps://` connects with TLS from the start; `smtp://` upgrades with STARTTLS when the
server offers it. Every address gets its own message (no address sees the others), all over
one connection. The delivery's id is in the `Message-ID`, so a retry carries the same one
and mail clients show it once. A retry of a channel with several addresses sends to each of
them again (deliveries are not tracked per address).

A permanent refusal (5xx) of an address or of the message is final; a temporary one (4xx),
a refused login or sender, or a lost connection is tried again.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib

from notifications.senders.message import Message
from notifications.senders.outcome import Outcome, Verdict

NOT_CONFIGURED = "CATALOG_SMTP_URL is not set"


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int | None
    implicit_tls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        return cls(
            hostname=parts.hostname or "localhost",
            port=parts.port,
            implicit_tls=parts.scheme == "smtps",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def compose(*, message: Message, to: str, sender: str, delivery_id: str) -> EmailMessage:
    """The email for one address: plain text with an HTML alternative."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = to
    email["Subject"] = " ".join(message.title.split())  # a header holds one line
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = f"<{delivery_id}@{_domain(sender)}>"
    email["X-Catalog-Delivery-Id"] = delivery_id
    email.set_content(message.plain_text())
    email.add_alternative(_html(message), subtype="html")
    return email


def _html(message: Message) -> str:
    lines = "".join(f"<p>{html.escape(line)}</p>" for line in message.lines)
    link = ""
    if message.link:
        link = f'<p><a href="{html.escape(message.link, quote=True)}">Open in the catalog</a></p>'
    return f"<html><body><h2>{html.escape(message.title)}</h2>{lines}{link}</body></html>"


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    try:
        return Address(addr_spec=address).domain or "service-catalog"
    except ValueError:
        return "service-catalog"


class EmailSender:
    def __init__(self, smtp_url: str | None, mail_from: str, *, timeout_s: float) -> None:
        self._server = SmtpServer.from_url(smtp_url) if smtp_url else None
        self._from = mail_from
        self._timeout_s = timeout_s

    async def send(self, *, delivery_id: str, addresses: list[str], message: Message) -> Outcome:
        if self._server is None:
            return Outcome.retry(NOT_CONFIGURED)
        refused: list[str] = []
        try:
            async with self._connect(self._server) as smtp:
                for address in addresses:
                    email = compose(
                        message=message, to=address, sender=self._from, delivery_id=delivery_id
                    )
                    outcome = await _send_one(smtp, email, address)
                    if outcome.verdict is Verdict.RETRY:
                        return outcome
                    if outcome.error is not None:
                        refused.append(outcome.error)
        except (aiosmtplib.SMTPException, OSError) as error:
            return Outcome.retry(f"SMTP: {_describe(error)}")
        if refused:
            return Outcome.dead("; ".join(refused))
        return Outcome.delivered()

    def _connect(self, server: SmtpServer) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=server.hostname,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            start_tls=False if server.implicit_tls else None,
            timeout=self._timeout_s,
        )


async def _send_one(smtp: aiosmtplib.SMTP, email: EmailMessage, address: str) -> Outcome:
    try:
        await smtp.send_message(email)
    except aiosmtplib.SMTPRecipientsRefused as error:
        refusals = error.recipients or [aiosmtplib.SMTPRecipientRefused(0, "", address)]
        return _refused(address, refusals[0].code, refusals[0].message)
    except (aiosmtplib.SMTPDataError, aiosmtplib.SMTPRecipientRefused) as error:
        return _refused(address, error.code, error.message)
    return Outcome.delivered()


def _refused(address: str, code: int, reply: str) -> Outcome:
    text = f"{address} refused: {code} {reply}".strip()
    return Outcome.dead(text) if code >= 500 else Outcome.retry(text)


def _describe(error: BaseException) -> str:
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{error.code} {error.message}"
    return str(error) or type(error).__name__
