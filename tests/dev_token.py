"""The development token test apps are given (`create_app(dev_token=...)`), and its header.

In dev with no issuer, only a request presenting it acts as the development person
(`CATALOG_DEV_ROLES`); every other request is anonymous, loopback or not.
"""

from __future__ import annotations

DEV_TOKEN = "test-development-token-known-to-the-suite"
DEV_AUTHORIZATION = {"Authorization": f"Bearer {DEV_TOKEN}"}
