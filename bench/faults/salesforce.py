"""The fake Salesforce the API reads live fields from, and the switches of its faults.

Every org of the seeded catalog becomes a fake org reached with a ready session, filled
with cases naming its services (`salesforce.fake.demo.populate`). `Weather` sets all of
them at once: healthy, slow (past the gateway's deadline), failing (503) or down (the port
closed: connection refused).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from types import TracebackType

import asyncpg
import trustme

from salesforce.fake import FakeSalesforce
from salesforce.fake.demo import populate

ORGS = """
SELECT o.org_id, o.name, o.credentials_ref, array_remove(array_agg(s.salesforce_key), NULL) AS keys
FROM salesforce_org AS o
LEFT JOIN service_salesforce_org AS l ON l.salesforce_org_id = o.id
LEFT JOIN service AS s ON s.id = l.service_id
WHERE o.credentials_ref IS NOT NULL
GROUP BY o.org_id, o.name, o.credentials_ref
"""


class Weather(StrEnum):
    HEALTHY = "healthy"
    SLOW = "slow"
    FAILING = "failing"
    DOWN = "down"


class FakeOrgs:
    """`with FakeOrgs(directory, dsn, slow_s=…)`, then `settings_env()` for the API's settings."""

    def __init__(self, directory: Path, slow_s: float) -> None:
        self._ca = trustme.CA()
        self.ca_path = directory / "salesforce-ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_path))
        self.fake = FakeSalesforce(self._ca)
        self.slow_s = slow_s
        self.weather = Weather.HEALTHY
        self._configs: dict[str, dict[str, str]] = {}

    async def load(self, dsn: str) -> None:
        """One fake org per org of the catalog, its cases naming the org's services."""
        connection = await asyncpg.connect(dsn)
        try:
            rows = await connection.fetch(ORGS)
        finally:
            await connection.close()
        for row in rows:
            org = self.fake.add_org(row["org_id"], row["name"])
            populate(org, list(row["keys"]))
            self._configs[row["credentials_ref"]] = {
                "org_id": row["org_id"],
                "name": row["name"],
                "instance_url": self.fake.url,
                "session_id": self.fake.issue_session(org),
            }

    def settings_env(self) -> dict[str, str]:
        return {
            "CATALOG_SALESFORCE_ORGS": json.dumps(self._configs),
            "CATALOG_SALESFORCE_CA_BUNDLE": str(self.ca_path),
        }

    def set(self, weather: Weather) -> None:
        if weather is Weather.DOWN:
            self.fake.refuse_connections()
        else:
            self.fake.accept_connections()
        with self.fake.state.lock:
            for org in self.fake.state.orgs.values():
                org.slow_s = self.slow_s if weather is Weather.SLOW else 0.0
                org.failing = weather is Weather.FAILING
            # The request log is not read here: kept short over a long run.
            self.fake.state.log.clear()
        self.weather = weather

    def __enter__(self) -> FakeOrgs:
        self.fake.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.fake.stop()
