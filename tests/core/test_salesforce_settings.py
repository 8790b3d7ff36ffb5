"""CATALOG_SALESFORCE_ORGS: JWT bearer or ready-session entries, one support org at most."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.settings import SettingsError, load_settings

JWT_ORG = {
    "org_id": "00D5g00000AcmCRAAZ",
    "name": "Global CRM",
    "login_url": "https://login.salesforce.com",
    "client_id": "3MVG9-consumer-key",
    "username": "integration@acme.com",
    "private_key_path": "/run/secrets/catalog.key",
}
SESSION_ORG = {
    "org_id": "00D8d00000AcmPcAAJ",
    "name": "Partners",
    "instance_url": "https://acme-partners.my.salesforce.com",
    "session_id": "00D8d00000AcmPc!secret",
}


@pytest.fixture(autouse=True)
def no_catalog_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("CATALOG_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_orgs_are_read_from_json_with_the_documented_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CATALOG_SALESFORCE_ORGS", json.dumps({"crm": {**JWT_ORG, "support": True}}))
    monkeypatch.setenv("CATALOG_SALESFORCE_CA_BUNDLE", "/etc/catalog/sf-ca.pem")

    settings = load_settings()

    crm = settings.salesforce_orgs["crm"]
    assert crm.uses_jwt
    assert crm.support
    assert (crm.case_service_field, crm.idea_service_field) == ("Service__c", "Service__c")
    assert crm.case_external_id_field == "Catalog_Request_Id__c"
    assert settings.salesforce_ca_bundle == Path("/etc/catalog/sf-ca.pem")
    assert (settings.salesforce_timeout_s, settings.salesforce_cache_ttl_s) == (5, 60)


def test_a_ready_session_is_accepted_and_never_shown() -> None:
    settings = load_settings(salesforce_orgs={"partners": SESSION_ORG})

    assert not settings.salesforce_orgs["partners"].uses_jwt
    assert "secret" not in repr(settings.salesforce_orgs)


@pytest.mark.parametrize(
    ("orgs", "message"),
    [
        ({"crm": {"org_id": "00D5g00000AcmCRAAZ", "name": "x"}}, "give login_url, client_id"),
        ({"crm": {**JWT_ORG, "login_url": "http://login"}}, "is not an https:// URL"),
        ({"crm": {**JWT_ORG, "case_service_field": "Service__c; DROP"}}, "should match"),
        (
            {"a": {**JWT_ORG, "support": True}, "b": {**SESSION_ORG, "support": True}},
            "only one org may be the support org; a, b are",
        ),
    ],
)
def test_wrong_org_entries_are_refused_naming_the_variable(orgs: object, message: str) -> None:
    with pytest.raises(SettingsError, match="CATALOG_SALESFORCE_ORGS") as raised:
        load_settings(salesforce_orgs=orgs)

    assert message in str(raised.value)
