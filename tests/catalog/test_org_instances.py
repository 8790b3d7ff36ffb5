"""An org's Salesforce instance: read from an instance URL that names it, or given; a
malformed one is refused."""

from __future__ import annotations

import pytest

from catalog.orgs.instances import InvalidInstanceKey, instance_key_of, normalise_instance_key


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://na135.salesforce.com", "NA135"),
        ("https://eu45.force.com/", "EU45"),
        ("https://usa2s.salesforce.com", "USA2S"),
        ("https://acme.my.salesforce.com", None),  # My Domain names no instance
        ("https://na135.example.com", None),
        (None, None),
    ],
)
def test_an_instance_url_names_its_instance_or_nothing(url: str | None, key: str | None) -> None:
    assert instance_key_of(url) == key


def test_a_given_instance_key_is_upper_cased_and_a_malformed_one_refused() -> None:
    assert normalise_instance_key(" na135 ") == "NA135"
    with pytest.raises(InvalidInstanceKey):
        normalise_instance_key("na-135; DROP")
