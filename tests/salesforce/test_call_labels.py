"""The object a Salesforce call is counted under on /metrics: bounded, never a record id."""

from __future__ import annotations

import pytest

from salesforce.metrics import object_of

BASE = "https://acme.my.salesforce.com/services"


@pytest.mark.parametrize(
    ("url", "params", "label"),
    [
        (
            f"{BASE}/data/v62.0/query/",
            {"q": "SELECT Id FROM Case WHERE Service__c IN ('a')"},
            "Case",
        ),
        (f"{BASE}/data/v62.0/query/?q=SELECT+Id+FROM+Idea", None, "Idea"),
        (f"{BASE}/data/v62.0/tooling/query/", {"q": "select Id from SandboxInfo"}, "SandboxInfo"),
        (f"{BASE}/data/v62.0/query/01gD0000002HU6KIAW-2000", None, "query_more"),
        (f"{BASE}/data/v62.0/sobjects/Case/500D000000abcdeIAA", None, "Case"),
        (f"{BASE}/data/v62.0/sobjects/UserLogin/0Ya000000000001", None, "UserLogin"),
        (f"{BASE}/data/v62.0/limits/", None, "limits"),
        (f"{BASE}/oauth2/token", None, "oauth"),
        (f"{BASE}/apexrest/anything/00Q000000000001", None, "other"),
    ],
)
def test_each_call_is_labelled_by_what_it_reads(url: str, params: object, label: str) -> None:
    assert object_of(url, params) == label
