"""Salesforce org ids: the checksum, and which ids are refused before anything is stored."""

from __future__ import annotations

import random
import string

import pytest

from catalog.orgs.org_id import InvalidOrgId, checksum, normalise_org_id

# 15-character ids and the suffix of their 18-character form, as Salesforce shows them.
KNOWN = [("00D000000000062", "EAA"), ("001D000000IqhSL", "IAZ")]


@pytest.mark.parametrize(("fifteen", "suffix"), KNOWN)
def test_checksum_matches_salesforce(fifteen: str, suffix: str) -> None:
    assert checksum(fifteen) == suffix


def test_fifteen_characters_become_eighteen() -> None:
    assert normalise_org_id("00D000000000062") == "00D000000000062EAA"


def test_eighteen_characters_are_kept() -> None:
    assert normalise_org_id("00Dxx0000001gPLEAY") == "00Dxx0000001gPLEAY"


def test_lower_case_checksum_is_accepted_and_upper_cased() -> None:
    assert normalise_org_id("00D000000000062eaa") == "00D000000000062EAA"


def test_surrounding_whitespace_is_ignored() -> None:
    assert normalise_org_id("  00D000000000062\n") == "00D000000000062EAA"


def test_wrong_checksum_is_refused_naming_the_right_one() -> None:
    with pytest.raises(InvalidOrgId, match=r"^the checksum of 00D000000000062AAA should be EAA$"):
        normalise_org_id("00D000000000062AAA")


def test_changed_case_in_an_eighteen_character_id_breaks_the_checksum() -> None:
    with pytest.raises(InvalidOrgId, match="checksum"):
        normalise_org_id("00DXX0000001GPLEAY")


def test_id_of_another_object_is_refused() -> None:
    with pytest.raises(InvalidOrgId, match=r"^an org id starts with 00D$"):
        normalise_org_id("001D000000IqhSL")


def test_lower_case_prefix_is_refused() -> None:
    with pytest.raises(InvalidOrgId, match="starts with 00D"):
        normalise_org_id("00d000000000062")


@pytest.mark.parametrize("length", [0, 14, 16, 17, 19])
def test_other_lengths_are_refused(length: int) -> None:
    with pytest.raises(InvalidOrgId, match=r"^an org id has 15 or 18 letters and digits$"):
        normalise_org_id(("00D" + "0" * 20)[:length])


@pytest.mark.parametrize("value", ["00D00000000006-", "00D 00000000062", "00D00000000006é"])
def test_characters_other_than_letters_and_digits_are_refused(value: str) -> None:
    with pytest.raises(InvalidOrgId, match="letters and digits"):
        normalise_org_id(value)


def test_any_valid_id_normalises_to_itself_and_its_fifteen_character_prefix() -> None:
    generator = random.Random(18)
    alphabet = string.ascii_letters + string.digits
    for _ in range(500):
        fifteen = "00D" + "".join(generator.choices(alphabet, k=12))
        eighteen = normalise_org_id(fifteen)
        assert len(eighteen) == 18
        assert eighteen[:15] == fifteen
        assert normalise_org_id(eighteen) == eighteen
        assert set(eighteen[15:]) <= set(string.ascii_uppercase + "012345")
