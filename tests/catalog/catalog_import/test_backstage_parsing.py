"""Backstage entity files as import entries: the mapping rules, and refusals with reasons."""

from __future__ import annotations

import pytest

from catalog.catalog_import.backstage import parse_files
from catalog.catalog_import.csv_rows import HEADER, parse_csv
from catalog.catalog_import.records import Ref, Target
from catalog.graph.models import SharedResourceKind
from catalog.services.models import Lifecycle, Tier
from core.errors import DomainErrors
from identity.models import TeamKind

COMPONENT = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: case-routing
  title: Case Routing
  tags: [apex]
  annotations:
    salesforce.com/org-id: 00D5g00000AcmCR
    servicecatalog.io/tier: "1"
  links:
    - {url: "https://wiki.example.com/run", type: runbook}
spec:
  lifecycle: {lifecycle}
  owner: group:default/service-cloud
  system: customer-service
  dependsOn: [component:default/sync, resource:okta]
  consumesApis: [orders-api]
"""


def _component(lifecycle: str = "production") -> str:
    return COMPONENT.replace("{lifecycle}", lifecycle)


def test_a_component_becomes_a_service_with_its_owner_orgs_tags_and_dependencies() -> None:
    [entry] = parse_files([("a.yaml", _component())])

    assert entry.problem is None
    assert (entry.source, entry.kind, entry.name, entry.target) == (
        "a.yaml#1", "Component", "case-routing", Target.SERVICE,
    )  # fmt: skip
    assert entry.owner == "service-cloud"
    assert entry.org_ids == ["00D5g00000AcmCREAZ"]
    assert entry.fields == {
        "slug": "case-routing",
        "name": "Case Routing",
        "lifecycle": Lifecycle.LIVE,
        "tier": Tier.TIER_1,
        "tags": ["apex", "system:customer-service"],
        "runbook_url": "https://wiki.example.com/run",
    }
    assert entry.depends_on == [
        Ref(Target.SERVICE, "sync", "component:default/sync"),
        Ref(Target.SHARED_RESOURCE, "okta", "resource:okta"),
        Ref(Target.SHARED_RESOURCE, "orders-api", "orders-api"),
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("experimental", Lifecycle.BUILDING),
        ("production", Lifecycle.LIVE),
        ("deprecated", Lifecycle.DEPRECATED),
        ("RETIRED", Lifecycle.RETIRED),
    ],
)
def test_backstage_lifecycles_map_to_the_catalogs(given: str, expected: Lifecycle) -> None:
    [entry] = parse_files([("a.yaml", _component(given))])

    assert entry.fields["lifecycle"] is expected


def test_an_unknown_lifecycle_is_refused_with_the_allowed_ones() -> None:
    [entry] = parse_files([("a.yaml", _component("beta"))])

    assert entry.problem == (
        "lifecycle 'beta' is not one of experimental, production, deprecated"
        " (or PLANNED, BUILDING, LIVE, DEPRECATED, RETIRED)"
    )


def test_text_and_yaml_placeholders_are_refused_as_unsupported() -> None:
    content = _component().replace("  title: Case Routing", "  description:\n    $yaml: ./d.yaml")

    [entry] = parse_files([("a.yaml", content)])

    assert entry.problem is not None
    assert entry.problem.startswith("the placeholder $yaml is not supported")


def test_every_document_of_a_file_is_an_entry_and_a_yaml_error_refuses_the_rest() -> None:
    group = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform}
spec: {type: team, parent: corporate-it, profile: {displayName: Platform}}
"""
    unit = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: corporate-it}
spec: {type: business-unit, profile: {displayName: Corporate IT}}
"""
    broken = "kind: [unclosed\n"

    entries = parse_files([("g.yaml", f"{group}---\n{unit}---\n{broken}")])

    assert [(entry.source, entry.target) for entry in entries] == [
        ("g.yaml#1", Target.TEAM),
        ("g.yaml#2", Target.BUSINESS_UNIT),
        ("g.yaml#3", None),
    ]
    assert entries[0].note == "corporate-it"
    assert entries[0].fields == {"slug": "platform", "name": "Platform"}
    assert entries[1].fields == {"name": "Corporate IT"}
    # The line is the file's, so the author finds it.
    assert (
        entries[2].problem == "not valid YAML: line 14: expected ',' or ']', but got '<stream end>'"
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("kind: Template\napiVersion: backstage.io/v1beta3\nmetadata: {name: t}",
         "kind Template is not supported (only Component, System, Resource, API, Group, User)"),
        ("kind: Component\napiVersion: v1\nmetadata: {name: c}",
         "apiVersion v1 is not a Backstage entity"),
        ("kind: Component\napiVersion: backstage.io/v1alpha1\nmetadata: {name: c}\n"
         "spec: {lifecycle: production}", "spec.owner is required"),
        ("kind: Component\napiVersion: backstage.io/v1alpha1\nmetadata: {name: c}\n"
         "spec: {lifecycle: production, owner: user:jane}",
         "spec.owner user:jane: the owner must be a Group (a team)"),
        ("kind: Component\napiVersion: backstage.io/v1alpha1\n"
         "metadata: {name: c, namespace: finance}\nspec: {lifecycle: production, owner: a}",
         "namespace finance: only the default namespace is imported"),
        ("- just\n- a list", "a document must be an entity (a mapping)"),
    ],
)  # fmt: skip
def test_what_cannot_be_imported_is_refused_with_its_reason(document: str, problem: str) -> None:
    [entry] = parse_files([("x.yaml", document)])

    assert entry.problem == problem


def test_resources_and_apis_become_shared_resources_of_a_kind() -> None:
    content = """
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: okta, title: Okta}
spec: {type: identity-provider, owner: platform}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders-api}
spec: {type: openapi, owner: platform, lifecycle: production, definition: "x"}
"""
    okta, api = parse_files([("r.yaml", content)])

    assert okta.fields == {"name": "Okta", "kind": SharedResourceKind.IDENTITY_PROVIDER}
    assert api.fields == {"name": "orders-api", "kind": SharedResourceKind.INTEGRATION}
    assert (okta.owner, api.owner) == ("platform", "platform")


def test_a_team_kind_comes_from_its_annotation_or_type() -> None:
    content = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: platform
  annotations: {servicecatalog.io/team-kind: platform, servicecatalog.io/business-unit: IT}
spec: {type: team, profile: {email: platform@example.com}}
"""
    [entry] = parse_files([("t.yaml", content)])

    assert entry.fields["kind"] is TeamKind.PLATFORM
    assert entry.fields["contact_email"] == "platform@example.com"
    assert entry.business_unit == "IT"


def test_a_csv_row_is_a_service_and_a_bad_row_is_refused_alone() -> None:
    content = (
        f"{HEADER}\n"
        "billing,Billing,finance,production,2,Invoices,a;b,q2c,component:erp;resource:Okta,"
        "00D5g00000AcmCR,CONFIDENTIAL,sox,,,\n"
        "crm,CRM,finance,someday,,,,,,,,,,,\n"
    )

    good, bad = parse_csv(content)

    assert good.problem is None
    assert good.fields["tier"] is Tier.TIER_2
    assert good.fields["tags"] == ["a", "b", "system:q2c"]
    assert good.fields["compliance_regimes"] == ["sox"]
    assert [ref.text for ref in good.depends_on] == ["component:erp", "resource:Okta"]
    assert good.org_ids == ["00D5g00000AcmCREAZ"]
    assert (bad.source, bad.name) == ("line 3", "crm")
    assert bad.problem is not None
    assert bad.problem.startswith("lifecycle 'someday' is not one of")


def test_a_csv_with_an_unknown_column_is_refused_as_a_whole() -> None:
    with pytest.raises(DomainErrors) as refused:
        parse_csv("slug,name,owner,lifecycle,colour\nx,X,t,production,red\n")

    assert "unknown colour" in str(refused.value)
