"""Which person an org user is: the federation id as subject first, then emails; never a guess."""

from __future__ import annotations

import uuid

from catalog.org_users.matching import PersonKey, lookup_values, match_users
from salesforce.users import OrgUserRecord


def _user(
    user_id: str,
    *,
    federation_id: str | None = None,
    email: str | None = None,
    username: str = "someone@acme.example.crm",
) -> OrgUserRecord:
    return OrgUserRecord(
        id=user_id,
        username=username,
        email=email,
        federation_id=federation_id,
        is_active=True,
        is_frozen=False,
        profile=None,
        licence=None,
        last_login_at=None,
    )


ADA = PersonKey(uuid.uuid4(), "00u-ada", "Ada@Acme.example")
BOB = PersonKey(uuid.uuid4(), "00u-bob", "bob@acme.example")


def test_the_federation_id_names_the_subject_before_any_email() -> None:
    user = _user("005A", federation_id="00u-bob", email="ada@acme.example")

    assert match_users([user], [ADA, BOB]) == {"005A": BOB.id}


def test_emails_match_without_regard_to_case_in_order() -> None:
    by_federation_email = _user("005A", federation_id="ADA@acme.example")
    by_email = _user("005B", email="BOB@ACME.EXAMPLE")
    by_username = _user("005C", username="bob@acme.example")

    found = match_users([by_federation_email, by_email, by_username], [ADA, BOB])

    assert found == {"005A": ADA.id, "005B": BOB.id, "005C": BOB.id}


def test_a_value_naming_two_people_matches_nobody() -> None:
    twin = PersonKey(uuid.uuid4(), "00u-ada", "other@acme.example")  # same subject, other issuer

    assert match_users([_user("005A", federation_id="00u-ada")], [ADA, twin]) == {}


def test_a_stranger_matches_nobody() -> None:
    assert match_users([_user("005A", email="stranger@elsewhere.example")], [ADA, BOB]) == {}


def test_lookup_values_are_every_subject_and_folded_email_the_users_could_name() -> None:
    users = [_user("005A", federation_id="00u-X", email="A@x.example", username="u@x.example")]

    assert lookup_values(users) == (["00u-X"], ["00u-x", "a@x.example", "u@x.example"])
