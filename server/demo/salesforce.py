"""The demo's Salesforce: in dev with no org configured, `serve` starts the fake with demo data.

Each demo org (server/demo/organisation.py, whose keys are its credentials references) gets a
fake org reached through the JWT bearer flow, exactly as a real one would be; the CA, the
connected app's key and certificate are made fresh under CATALOG_DATA_DIR.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.salesforce_settings import SalesforceOrgConfig
from core.settings import Settings
from salesforce.fake import FakeSalesforce
from salesforce.fake.demo import populate
from salesforce.fake.demo_trust import add_demo_trust
from server.demo.organisation import ORGS
from server.demo.provisioning import salesforce_people
from server.demo.salesforce_event_logs import BACKFILL_DAYS, add_demo_org_event_logs
from server.demo.salesforce_sandboxes import add_demo_sandboxes
from server.demo.services import SERVICES

logger = logging.getLogger(__name__)
SUPPORT_ORG = "crm-prod"


@dataclass(frozen=True)
class DemoSalesforce:
    settings: Settings  # the given settings, pointing at the fake
    fake: FakeSalesforce


def start_demo_salesforce(settings: Settings) -> DemoSalesforce | None:
    """The fake, started and filled, when in dev with CATALOG_SALESFORCE_ORGS empty."""
    if not settings.is_dev or settings.salesforce_orgs:
        return None
    try:
        import trustme
    except ImportError:
        logger.info("no demo Salesforce: trustme is not installed (pip install -e '.[dev]')")
        return None
    directory = settings.data_dir / "salesforce-demo"
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    ca_path = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    app = ca.issue_cert("service-catalog-demo", key_type=trustme.KeyType.RSA)
    key_path = directory / "connected-app.key"
    key_path.touch(mode=0o600)
    app.private_key_pem.write_to_path(str(key_path))
    fake = FakeSalesforce(ca).start()
    orgs: dict[str, SalesforceOrgConfig] = {}
    for demo in ORGS:
        org = fake.add_org(demo.org_id, demo.name, username=f"integration@{demo.key}.demo")
        fake.connect_app(org, f"demo-{demo.key}", app.cert_chain_pems[0].bytes())
        keys = [service.slug for service in SERVICES if demo.key in service.orgs]
        populate(org, keys, people=salesforce_people())
        add_demo_sandboxes(org, demo.key)
        add_demo_org_event_logs(org, demo.key)
        orgs[demo.key] = SalesforceOrgConfig(
            org_id=demo.org_id,
            name=demo.name,
            login_url=fake.url,
            client_id=f"demo-{demo.key}",
            username=org.username,
            private_key_path=key_path,
            support=demo.key == SUPPORT_ORG,
        )
    # The Trust API too: incidents on the demo orgs' instances and the seasonal calendar.
    add_demo_trust(fake.trust, sorted({demo.instance_key for demo in ORGS if demo.instance_key}))
    updated = settings.model_copy(
        update={
            "salesforce_trust_url": settings.salesforce_trust_url or fake.trust_url,
            "salesforce_orgs": orgs,
            "salesforce_ca_bundle": ca_path,
            "event_monitoring_backfill_days": BACKFILL_DAYS,
        }
    )
    return DemoSalesforce(updated, fake)
