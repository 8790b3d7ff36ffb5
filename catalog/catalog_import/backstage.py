"""Backstage entity files (`catalog-info.yaml`, multi-document) as import entries.

Kinds: Component → service; Group → team, or business unit when `spec.type` is one of
BUSINESS_UNIT_TYPES; Resource and API → shared resource; User → memberships of an existing
person; System → a tag `system:<name>` on its components (the catalog has no parent service).
Pure: no I/O, so every mapping rule is testable on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from catalog.catalog_import.records import Entry, Ref, Target
from catalog.graph.models import SharedResourceKind
from catalog.orgs.org_id import InvalidOrgId, normalise_org_id
from catalog.services.models import DataClassification, Lifecycle, Tier
from core.text import refused_character
from identity.models import MembershipRole, TeamKind

ANNOTATION = "servicecatalog.io/"
ORG_ANNOTATION = "salesforce.com/org-id"
BUSINESS_UNIT_TYPES = frozenset({"business-unit", "department", "division"})
LIFECYCLES = {
    "experimental": Lifecycle.BUILDING,
    "production": Lifecycle.LIVE,
    "deprecated": Lifecycle.DEPRECATED,
    **{member.value.lower(): member for member in Lifecycle},
}
RESOURCE_KINDS = {
    "database": SharedResourceKind.DATA_STORE,
    "datastore": SharedResourceKind.DATA_STORE,
    "data-store": SharedResourceKind.DATA_STORE,
    "storage": SharedResourceKind.DATA_STORE,
    "s3-bucket": SharedResourceKind.DATA_STORE,
    "identity-provider": SharedResourceKind.IDENTITY_PROVIDER,
    "idp": SharedResourceKind.IDENTITY_PROVIDER,
    "middleware": SharedResourceKind.MIDDLEWARE,
    "message-broker": SharedResourceKind.MIDDLEWARE,
    "queue": SharedResourceKind.MIDDLEWARE,
    "esb": SharedResourceKind.MIDDLEWARE,
    "integration": SharedResourceKind.INTEGRATION,
    "ipaas": SharedResourceKind.INTEGRATION,
}
LINK_TYPES = {
    "runbook": "runbook_url",
    "repo": "repo_url",
    "repository": "repo_url",
    "source": "repo_url",
    "dashboard": "dashboard_url",
}
TARGETS = {
    "component": Target.SERVICE,
    "resource": Target.SHARED_RESOURCE,
    "api": Target.SHARED_RESOURCE,
}
KINDS = ("Component", "System", "Resource", "API", "Group", "User")


class Refused(Exception):
    """The entity cannot be imported; the message says why."""


def parse_files(files: list[tuple[str, str]]) -> list[Entry]:
    """Every document of every (name, text) file, in order; a bad one is a refused entry."""
    entries: list[Entry] = []
    for name, text in files:
        entries.extend(_file_entries(name, text))
    return entries


def _file_entries(name: str, text: str) -> Iterator[Entry]:
    refused = refused_character(text, free_text=True)
    if refused is not None:
        yield _refused(name, "File", name, f"line {refused.line}: a control character")
        return
    documents = yaml.load_all(text, Loader=yaml.SafeLoader)
    number = 0
    while True:
        number += 1
        source = f"{name}#{number}"
        try:
            document = next(documents)
        except StopIteration:
            return
        except yaml.YAMLError as error:
            yield _refused(source, "File", name, f"not valid YAML: {_yaml_reason(error)}")
            return
        if document is None:
            number -= 1
            continue
        yield _entry(source, document)


def _yaml_reason(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"line {mark.line + 1}: {problem}" if mark is not None else str(problem)


def _refused(source: str, kind: str, name: str, problem: str) -> Entry:
    return Entry(source=source, kind=kind, name=name, target=None, problem=problem)


def _entry(source: str, document: Any) -> Entry:
    if not isinstance(document, dict):
        return _refused(source, "?", "?", "a document must be an entity (a mapping)")
    kind = str(document.get("kind") or "?")
    metadata = document.get("metadata")
    name = str(metadata.get("name") or "?") if isinstance(metadata, dict) else "?"
    try:
        return _mapped(source, kind, name, document)
    except Refused as error:
        return _refused(source, kind, name, str(error))


def _mapped(source: str, kind: str, name: str, document: dict[str, Any]) -> Entry:
    api_version = str(document.get("apiVersion") or "")
    if not api_version.startswith("backstage.io/"):
        raise Refused(f"apiVersion {api_version or '(none)'} is not a Backstage entity")
    if kind not in KINDS:
        raise Refused(f"kind {kind} is not supported (only {', '.join(KINDS)})")
    placeholder = _placeholder(document)
    if placeholder is not None:
        raise Refused(
            f"the placeholder {placeholder} is not supported: Backstage resolves it when it"
            " reads the file; write the value itself"
        )
    metadata = _mapping(document.get("metadata"), "metadata")
    spec = _mapping(document.get("spec", {}), "spec")
    if name == "?":
        raise Refused("metadata.name is required")
    namespace = metadata.get("namespace", "default")
    if namespace != "default":
        raise Refused(f"namespace {namespace}: only the default namespace is imported")
    entry = Entry(source=source, kind=kind, name=name, target=None)
    MAPPERS[kind](entry, metadata, spec, _annotations(metadata))
    return entry


def _placeholder(document: Any) -> str | None:
    """The first `$text`/`$yaml`/`$json` substitution in the document, if any."""
    seen: set[int] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # YAML aliases share nodes; visit each once
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key in node:
                if isinstance(key, str) and key in ("$text", "$yaml", "$json"):
                    return key
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Refused(f"{where} must be a mapping")
    return value


def _text(value: Any, where: str) -> str:
    if isinstance(value, (dict, list)) or value is None:
        raise Refused(f"{where} must be text")
    return str(value).strip()


def _texts(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Refused(f"{where} must be a list")
    return [_text(item, where) for item in value]


def _annotations(metadata: dict[str, Any]) -> dict[str, str]:
    annotations = metadata.get("annotations") or {}
    if not isinstance(annotations, dict):
        raise Refused("metadata.annotations must be a mapping")
    return {str(key): _text(value, f"annotation {key}") for key, value in annotations.items()}


def parse_ref(text: str, default: str, where: str) -> tuple[str, str]:
    """`group:default/platform` → ("group", "platform"); the kind defaults to `default`."""
    kind, _, rest = text.rpartition(":") if ":" in text else (default, "", text)
    namespace, _, name = rest.rpartition("/")
    if namespace not in ("", "default"):
        raise Refused(f"{where} {text}: only the default namespace is imported")
    if not name:
        raise Refused(f"{where} {text!r} is not an entity reference")
    return kind.lower(), name


def _owner(spec: dict[str, Any], *, required: bool) -> str | None:
    if spec.get("owner") is None:
        if required:
            raise Refused("spec.owner is required")
        return None
    kind, name = parse_ref(_text(spec["owner"], "spec.owner"), "group", "spec.owner")
    if kind != "group":
        raise Refused(f"spec.owner {spec['owner']}: the owner must be a Group (a team)")
    return name


def _enum(annotations: dict[str, str], key: str, enum: type[Any]) -> Any:
    value = annotations.get(ANNOTATION + key)
    if value is None:
        return None
    cleaned = value.strip().upper().replace("-", "_")
    if enum is Tier and cleaned.isdigit():
        cleaned = f"TIER_{cleaned}"
    try:
        return enum(cleaned)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise Refused(f"annotation {ANNOTATION}{key}: {value!r} is not one of {allowed}") from None


def lifecycle(value: str) -> Lifecycle:
    """Backstage's experimental/production/deprecated, or one of the catalog's own."""
    try:
        return LIFECYCLES[value.strip().lower()]
    except KeyError:
        raise Refused(
            f"lifecycle {value!r} is not one of experimental, production, deprecated"
            f" (or {', '.join(member.value for member in Lifecycle)})"
        ) from None


def org_ids(value: str) -> list[str]:
    """Comma-separated 15 or 18 character org ids, as 18."""
    found: list[str] = []
    for part in value.replace(";", ",").split(","):
        if part.strip():
            try:
                found.append(normalise_org_id(part.strip()))
            except InvalidOrgId as error:
                raise Refused(f"org id {part.strip()!r}: {error}") from None
    return found


def _component(
    entry: Entry, metadata: dict[str, Any], spec: dict[str, Any], annotations: dict[str, str]
) -> None:
    entry.target = Target.SERVICE
    fields = entry.fields
    fields["slug"] = entry.name
    fields["name"] = _text(metadata.get("title") or entry.name, "metadata.title")
    if "description" in metadata:
        fields["description"] = _text(metadata["description"] or "", "metadata.description")
    entry.owner = _owner(spec, required=True)
    fields["lifecycle"] = lifecycle(_text(spec.get("lifecycle"), "spec.lifecycle"))
    for key, column, enum in (
        ("tier", "tier", Tier),
        ("data-classification", "data_classification", DataClassification),
    ):
        value = _enum(annotations, key, enum)
        if value is not None:
            fields[column] = value
    tags = _texts(metadata.get("tags"), "metadata.tags")
    if spec.get("system") is not None:
        _, system = parse_ref(_text(spec["system"], "spec.system"), "system", "spec.system")
        tags.append(f"system:{system}")
    if "tags" in metadata or spec.get("system") is not None:
        fields["tags"] = tags
    if ANNOTATION + "compliance" in annotations:
        regimes = annotations[ANNOTATION + "compliance"].replace(";", ",").split(",")
        fields["compliance_regimes"] = [regime.strip() for regime in regimes if regime.strip()]
    _links(fields, metadata, annotations)
    if ORG_ANNOTATION in annotations:
        entry.org_ids = org_ids(annotations[ORG_ANNOTATION])
    for key, default in (("dependsOn", "component"), ("consumesApis", "api")):
        for text in _texts(spec.get(key), f"spec.{key}"):
            entry.depends_on.append(dependency_ref(text, default, f"spec.{key}"))


def dependency_ref(text: str, default: str, where: str) -> Ref:
    kind, name = parse_ref(text, default, where)
    if kind not in TARGETS:
        raise Refused(f"{where} {text}: a service can depend on a component, resource or api")
    return Ref(TARGETS[kind], name, text)


def _links(fields: dict[str, Any], metadata: dict[str, Any], annotations: dict[str, str]) -> None:
    source = annotations.get("backstage.io/source-location", "")
    if source.startswith("url:"):
        fields["repo_url"] = source.removeprefix("url:")
    links = metadata.get("links") or []
    if not isinstance(links, list):
        raise Refused("metadata.links must be a list")
    for link in links:
        link = _mapping(link, "metadata.links[]")
        label = str(link.get("type") or link.get("title") or "").strip().lower()
        if label in LINK_TYPES:
            fields[LINK_TYPES[label]] = _text(link.get("url"), "metadata.links[].url")


def _group(
    entry: Entry, metadata: dict[str, Any], spec: dict[str, Any], annotations: dict[str, str]
) -> None:
    profile = _mapping(spec.get("profile") or {}, "spec.profile")
    title = profile.get("displayName") or metadata.get("title") or entry.name
    group_type = str(spec.get("type") or "team").strip().lower()
    if group_type in BUSINESS_UNIT_TYPES:
        entry.target = Target.BUSINESS_UNIT
        entry.fields["name"] = _text(title, "spec.profile.displayName")
        return
    entry.target = Target.TEAM
    entry.fields["slug"] = entry.name
    entry.fields["name"] = _text(title, "spec.profile.displayName")
    if profile.get("email") is not None:
        entry.fields["contact_email"] = _text(profile["email"], "spec.profile.email")
    if ANNOTATION + "chat-channel" in annotations:
        entry.fields["chat_channel"] = annotations[ANNOTATION + "chat-channel"]
    kind = _enum(annotations, "team-kind", TeamKind)
    if kind is None and group_type.upper() in TeamKind.__members__:
        kind = TeamKind(group_type.upper())
    if kind is not None:
        entry.fields["kind"] = kind
    entry.business_unit = annotations.get(ANNOTATION + "business-unit")
    if entry.business_unit is None and spec.get("parent") is not None:
        _, parent = parse_ref(_text(spec["parent"], "spec.parent"), "group", "spec.parent")
        entry.note = parent  # the parent Group, resolved to a business unit across the batch


def _resource(
    entry: Entry, metadata: dict[str, Any], spec: dict[str, Any], annotations: dict[str, str]
) -> None:
    entry.target = Target.SHARED_RESOURCE
    default = SharedResourceKind.INTEGRATION if entry.kind == "API" else SharedResourceKind.OTHER
    kind = _enum(annotations, "resource-kind", SharedResourceKind)
    if kind is None and entry.kind == "Resource":
        kind = RESOURCE_KINDS.get(str(spec.get("type") or "").strip().lower())
    # Shared resources are named for people ("MuleSoft Anypoint Platform"): the title when
    # there is one; references in the same import name the entity and are resolved to it.
    entry.fields["name"] = _text(metadata.get("title") or entry.name, "metadata.title")
    entry.fields["kind"] = kind or default
    if "description" in metadata:
        entry.fields["description"] = _text(metadata["description"] or "", "description")
    entry.owner = _owner(spec, required=True)


def _user(
    entry: Entry, metadata: dict[str, Any], spec: dict[str, Any], annotations: dict[str, str]
) -> None:
    entry.target = Target.PERSON
    profile = _mapping(spec.get("profile") or {}, "spec.profile")
    if profile.get("email") is None:
        raise Refused("spec.profile.email is required: it finds the person who signed in")
    entry.email = _text(profile["email"], "spec.profile.email")
    role = _enum(annotations, "team-role", MembershipRole) or MembershipRole.ENGINEER
    entry.fields["role"] = role
    for text in _texts(spec.get("memberOf"), "spec.memberOf"):
        kind, name = parse_ref(text, "group", "spec.memberOf")
        if kind != "group":
            raise Refused(f"spec.memberOf {text}: a user is a member of Groups")
        entry.member_of.append(name)


def _system(
    entry: Entry, metadata: dict[str, Any], spec: dict[str, Any], annotations: dict[str, str]
) -> None:
    entry.target = Target.SYSTEM
    entry.owner = _owner(spec, required=False)


MAPPERS = {
    "Component": _component,
    "System": _system,
    "Resource": _resource,
    "API": _resource,
    "Group": _group,
    "User": _user,
}
