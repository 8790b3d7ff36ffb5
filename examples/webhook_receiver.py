"""A webhook receiver for trying the catalog's notifications on this machine.

    .venv/bin/python examples/webhook_receiver.py --secret whsec_… [--port 8765]

Listens on http://127.0.0.1:8765/webhooks (the demo channel's URL), verifies each delivery's
`webhook-id`, `webhook-timestamp` and `webhook-signature` headers with the `standardwebhooks`
package, prints one line per delivery, and answers 204 (401 when the signature is wrong:
the catalog gives that delivery up, and `redeliver` sends it again once the secret is
right). A delivery retried after this receiver was down carries the same `webhook-id`:
duplicates are reported as such.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver(BaseHTTPRequestHandler):
    webhook: ClassVar[Webhook]
    seen: ClassVar[set[str]] = set()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            payload = self.webhook.verify(body, headers)
        except WebhookVerificationError as error:
            print(f"REFUSED {headers.get('webhook-id')}: {error}", flush=True)
            self._answer(401)
            return
        delivery = headers["webhook-id"]
        again = " (again)" if delivery in self.seen else ""
        self.seen.add(delivery)
        print(
            f"{payload['timestamp']} {payload['type']}{again} id={delivery} "
            f"data={json.dumps(payload['data'], sort_keys=True)}",
            flush=True,
        )
        self._answer(204)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: one line per delivery is printed by do_POST."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret", required=True, help="the channel's whsec_… secret")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args(argv)
    Receiver.webhook = Webhook(options.secret)
    server = ThreadingHTTPServer((options.host, options.port), Receiver)
    print(f"receiving on http://{options.host}:{options.port}/webhooks", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
