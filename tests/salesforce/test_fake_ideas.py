"""The fake's Ideas as a real org keeps them: Votes and their query restriction, totals,
comments, a status update, and the errors of each."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
import requests
from simple_salesforce.api import Salesforce, SFType
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.fake.demo import populate


def _client(fake: FakeSalesforce, org: FakeOrg, ca_bundle: Path) -> Salesforce:
    http = requests.Session()
    http.trust_env = False
    http.verify = str(ca_bundle)
    return Salesforce(
        session_id=fake.issue_session(org), instance_url=fake.url, session=http, version="59.0"
    )


def _sobject(sf: Salesforce, name: str) -> SFType:
    return cast(SFType, getattr(sf, name))


def _code(error: pytest.ExceptionInfo[Any]) -> str:
    return str(cast(Any, error.value.content)[0]["errorCode"])


def test_votes_keep_the_idea_total_and_answer_a_narrowed_query(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    user = crm.add("User", Email="ada@example.test", FederationIdentifier="ada")
    idea = crm.add("Idea", Title="Dark mode", Service__c="portal")
    crm.add("Vote", ParentId=idea["Id"], Type="Up", CreatedById=user["Id"])
    crm.add("Vote", ParentId=idea["Id"], Type="Up")
    crm.add("Vote", ParentId=idea["Id"], Type="Down")
    sf = _client(fake, crm, ca_bundle)

    votes = sf.query(
        "SELECT Id, Type, CreatedBy.FederationIdentifier, CreatedBy.Email FROM Vote"
        f" WHERE Parent.Type = 'Idea' AND ParentId IN ('{idea['Id']}')"
    )["records"]
    totals = sf.query(f"SELECT VoteTotal, VoteScore FROM Idea WHERE Id = '{idea['Id']}'")

    assert sorted(vote["Type"] for vote in votes) == ["Down", "Up", "Up"]
    assert {"FederationIdentifier": "ada", "Email": "ada@example.test"}.items() <= next(
        vote["CreatedBy"] for vote in votes if vote["CreatedBy"]
    ).items()
    assert totals["records"][0]["VoteTotal"] == 10
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query("SELECT Id FROM Vote WHERE Type = 'Up'")
    assert _code(refused) == "MALFORMED_QUERY"
    assert "Implementation restriction" in cast(Any, refused.value.content)[0]["message"]


def test_a_vote_is_up_or_down_on_an_idea_that_exists(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    idea = crm.add("Idea", Title="Dark mode")
    votes = _sobject(_client(fake, crm, ca_bundle), "Vote")

    with pytest.raises(SalesforceMalformedRequest) as sideways:
        votes.create({"ParentId": idea["Id"], "Type": "Sideways"})
    with pytest.raises(SalesforceMalformedRequest) as nowhere:
        votes.create({"ParentId": "087000000000000AAA", "Type": "Up"})

    assert _code(sideways) == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert _code(nowhere) == "INVALID_CROSS_REFERENCE_KEY"


def test_status_update_and_comment_through_sobjects(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    idea = crm.add("Idea", Title="Dark mode", Status="New")
    sf = _client(fake, crm, ca_bundle)

    status = _sobject(sf, "Idea").update(idea["Id"], {"Status": "Delivered"})
    comment = _sobject(sf, "IdeaComment").create(
        {"IdeaId": idea["Id"], "CommentBody": "Shipped in 2026.12"}
    )

    assert status == 204
    assert idea["Status"] == "Delivered"
    assert idea["NumComments"] == 1
    assert str(comment["id"]).startswith("00a")
    found = sf.query(f"SELECT CommentBody FROM IdeaComment WHERE IdeaId = '{idea['Id']}'")
    assert [r["CommentBody"] for r in found["records"]] == ["Shipped in 2026.12"]
    assert [call.kind for call in fake.calls if call.method == "PATCH"] == ["update"]


def test_computed_fields_and_missing_records_are_refused(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    idea = crm.add("Idea", Title="Dark mode")
    ideas = _sobject(_client(fake, crm, ca_bundle), "Idea")

    with pytest.raises(SalesforceMalformedRequest) as computed:
        ideas.update(idea["Id"], {"VoteTotal": 1000})
    with pytest.raises(SalesforceResourceNotFound):
        ideas.update("087000000000000AAA", {"Status": "Delivered"})

    assert _code(computed) == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_changed_ideas_page_by_last_modified(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    fake.state.page_size = 200
    for n in range(250):
        crm.add("Idea", Title=f"Idea {n}", Service__c="portal")
    sf = _client(fake, crm, ca_bundle)

    found = sf.query_all(
        "SELECT Id, LastModifiedDate FROM Idea WHERE Service__c != null"
        " AND LastModifiedDate >= 2020-01-01T00:00:00Z ORDER BY LastModifiedDate, Id"
    )

    assert len(found["records"]) == 250
    assert [call.kind for call in fake.calls if call.org_id] == ["query", "query_more"]


def test_demo_ideas_carry_votes_that_agree_with_their_totals() -> None:
    org = FakeOrg("00D5g00000DemoAAA", "Demo")
    populate(org, ["portal", "billing", "crm", "field-service"])

    ideas = list(org.records["Idea"].values())
    votes = list(org.records["Vote"].values())
    assert ideas
    assert votes
    for idea in ideas:
        mine = [vote["Type"] for vote in votes if vote["ParentId"] == idea["Id"]]
        assert idea["VoteTotal"] == 10 * (mine.count("Up") - mine.count("Down"))
