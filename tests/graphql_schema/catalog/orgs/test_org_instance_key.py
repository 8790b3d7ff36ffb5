"""An org registered over GraphQL takes its Salesforce instance from an instance URL that
names it, or from the input; a malformed one is refused naming the field."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.graphql_schema.desk import Desk

CREATE = """
mutation($input: CreateSalesforceOrgInput!) {
  createSalesforceOrg(input: $input) {
    salesforceOrg { instanceKey }
    userErrors { field message code }
  }
}
"""


async def test_a_registered_org_takes_its_instance_from_the_url_or_the_input(
    desk: Desk, session: AsyncSession
) -> None:
    admin = await desk.person(session, "admins")

    def org(n: int, url: str, **more: str) -> dict[str, object]:
        fields = {"orgId": f"00D5g00000Acm{n:02d}", "name": f"Org {n}", "instanceUrl": url}
        return {"input": {**fields, "kind": "PRODUCTION", **more}}

    derived = await admin.data(CREATE, org(1, "https://na135.salesforce.com"))
    given = await admin.data(CREATE, org(2, "https://acme.my.salesforce.com", instanceKey="eu45"))
    refused = await admin.data(CREATE, org(3, "https://acme.my.salesforce.com", instanceKey="?"))

    assert derived["createSalesforceOrg"]["salesforceOrg"] == {"instanceKey": "NA135"}
    assert given["createSalesforceOrg"]["salesforceOrg"] == {"instanceKey": "EU45"}
    assert refused["createSalesforceOrg"] == {
        "salesforceOrg": None,
        "userErrors": [
            {
                "field": ["instanceKey"],
                "message": "'?' is not a Salesforce instance such as NA135 or EU45",
                "code": "INVALID",
            }
        ],
    }
