"""Enums of catalog imports, exposed to GraphQL once, before any type uses them."""

import strawberry

from catalog.catalog_import.records import ImportFormat, Outcome

strawberry.enum(
    ImportFormat,
    name="CatalogImportFormat",
    description="BACKSTAGE: Backstage entity YAML, several documents separated by `---`;"
    " CSV: one service a row, header"
    " slug,name,owner,lifecycle[,tier,description,tags,system,depends_on,salesforce_org_ids,"
    "data_classification,compliance_regimes,runbook_url,repo_url,dashboard_url].",
)
strawberry.enum(
    Outcome,
    name="CatalogImportOutcome",
    description="What the import did with a record; REFUSED writes nothing of it, SKIPPED"
    " records have nothing to store (a System, a User nobody signed in as yet).",
)
