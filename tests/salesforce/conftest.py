"""A fake Salesforce over HTTPS per test, trusted through a test CA from trustme."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from salesforce.fake import FakeOrg, FakeSalesforce


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
    leaf = trustme.CA(key_type=trustme.KeyType.RSA).issue_cert("catalog-connected-app")
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
