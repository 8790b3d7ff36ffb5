"""A fake Salesforce over HTTPS per test, trusted through a test CA from trustme."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from core.salesforce_settings import SalesforceOrgConfig
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway


@dataclass(frozen=True)
class AppKey:
    """The connected app's certificate (uploaded to the org) and our private key file."""

    certificate_pem: bytes
    private_key_path: Path


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_bundle(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("salesforce") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def app_key(tmp_path_factory: pytest.TempPathFactory) -> AppKey:
    leaf = trustme.CA().issue_cert("catalog-connected-app", key_type=trustme.KeyType.RSA)
    path = tmp_path_factory.mktemp("salesforce") / "connected-app.key"
    leaf.private_key_pem.write_to_path(str(path))
    return AppKey(leaf.cert_chain_pems[0].bytes(), path)


@pytest.fixture
def fake(ca: trustme.CA) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(ca) as server:
        yield server


@pytest.fixture
def crm(fake: FakeSalesforce) -> FakeOrg:
    return fake.add_org("00D5g00000AcmCRAAZ", "Global CRM")


CLIENT_ID = "catalog-connected-app"


@pytest.fixture
def partners(fake: FakeSalesforce) -> FakeOrg:
    return fake.add_org("00D8d00000AcmPcAAJ", "Partner Community")


@pytest.fixture
def org_configs(
    fake: FakeSalesforce, crm: FakeOrg, partners: FakeOrg, app_key: AppKey
) -> dict[str, SalesforceOrgConfig]:
    """crm signs in with the JWT bearer flow; partners has a ready session."""
    fake.connect_app(crm, CLIENT_ID, app_key.certificate_pem)
    return {
        "crm": SalesforceOrgConfig(
            org_id=crm.org_id,
            name=crm.name,
            login_url=fake.url,
            client_id=CLIENT_ID,
            username=crm.username,
            private_key_path=app_key.private_key_path,
            support=True,
        ),
        "partners": SalesforceOrgConfig(
            org_id=partners.org_id,
            name=partners.name,
            instance_url=fake.url,
            session_id=fake.issue_session(partners),
        ),
    }


@pytest.fixture
async def gateway(
    org_configs: dict[str, SalesforceOrgConfig], ca_bundle: Path
) -> AsyncIterator[SalesforceGateway]:
    gateway = SalesforceGateway(
        org_configs, ca_bundle=ca_bundle, timeout_s=1.0, breaker_threshold=3, breaker_ttl_s=0.5
    )
    yield gateway
    await gateway.close()
