"""No silent breaking changes: the schema the code builds against the last released SDL.

`graphql_schema/released.graphql` is the SDL of the last release, copied from
`schema.graphql` deliberately at release. A change that graphql-core's
`find_breaking_changes` reports fails this test, unless what it removes or retypes (a field,
an input field, an argument, an enum value, or a type only deprecated fields led to) was
`@deprecated` in the released SDL. Dangerous changes (an enum value or union member
added, a default changed) are reported as warnings, never failures.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from graphql import (
    BreakingChange,
    BreakingChangeType,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    get_named_type,
)

from graphql_schema.schema import build_schema as build_current_schema

ROOT = Path(__file__).resolve().parents[2]
RELEASED = ROOT / "graphql_schema" / "released.graphql"

Lookup = Callable[[GraphQLSchema, re.Match[str]], bool]


@dataclass(frozen=True)
class Comparison:
    """What changed between a released schema and the current one, by how it is judged."""

    breaking: list[str]  # fails: a client of the release can break
    excused: list[str]  # breaking, but what it removes was deprecated in the release
    dangerous: list[str]  # reported: valid queries may behave differently


def compare(released_sdl: str, current: GraphQLSchema) -> Comparison:
    """Judge every change from the released SDL to `current`."""
    released = build_schema(released_sdl)
    breaking: list[str] = []
    excused: list[str] = []
    for change in find_breaking_changes(released, current):
        (excused if _was_deprecated(released, change) else breaking).append(change.description)
    dangerous = [change.description for change in find_dangerous_changes(released, current)]
    return Comparison(breaking=breaking, excused=excused, dangerous=dangerous)


def _was_deprecated(released: GraphQLSchema, change: BreakingChange) -> bool:
    """Whether the element the change removes or retypes was deprecated in the release."""
    for pattern, lookup in _EXCUSABLE.get(change.type, ()):
        found = pattern.match(change.description)
        if found is not None:
            return lookup(released, found)
    return False  # anything else (a required argument added, a kind changed...) breaks


def _field(
    released: GraphQLSchema, type_name: str, field_name: str
) -> GraphQLField | GraphQLInputField | None:
    owner = released.get_type(type_name)
    if isinstance(owner, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
        found: GraphQLField | GraphQLInputField | None = owner.fields.get(field_name)
        return found
    return None


def _field_deprecated(released: GraphQLSchema, found: re.Match[str]) -> bool:
    field = _field(released, found["type"], found["field"])
    return field is not None and field.deprecation_reason is not None


def _argument_deprecated(released: GraphQLSchema, found: re.Match[str]) -> bool:
    field = _field(released, found["type"], found["field"])
    if not isinstance(field, GraphQLField):
        return False
    argument = field.args.get(found["argument"])
    deprecated = argument is not None and argument.deprecation_reason is not None
    return deprecated or field.deprecation_reason is not None


def _enum_value_deprecated(released: GraphQLSchema, found: re.Match[str]) -> bool:
    enum = released.get_type(found["type"])
    if not isinstance(enum, GraphQLEnumType) or found["value"] not in enum.values:
        return False
    return enum.values[found["value"]].deprecation_reason is not None


def _only_reached_through_deprecated(released: GraphQLSchema, found: re.Match[str]) -> bool:
    """A removed type is excused when every field, argument and input field of the release
    that named it was deprecated (their removal is then excused too), and no union held it."""
    name = found["type"]
    if any(
        isinstance(union, GraphQLUnionType) and name in {member.name for member in union.types}
        for union in released.type_map.values()
    ):
        return False
    references = list(_references(released, name))
    return bool(references) and all(references)


def _references(released: GraphQLSchema, name: str) -> Iterator[bool]:
    """Whether each field, argument or input field naming type `name` was deprecated."""
    for owner in released.type_map.values():
        if owner.name.startswith("__") or not isinstance(
            owner, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)
        ):
            continue
        for field in owner.fields.values():
            field_deprecated = field.deprecation_reason is not None
            if get_named_type(field.type).name == name:
                yield field_deprecated
            if isinstance(field, GraphQLField):
                for argument in field.args.values():
                    if get_named_type(argument.type).name == name:
                        yield field_deprecated or argument.deprecation_reason is not None


_FIELD_CHANGE = re.compile(r"Field (?P<type>\w+)\.(?P<field>\w+) (was removed|changed type)")
_ARGUMENT_CHANGE = re.compile(
    r"Argument (?P<type>\w+)\.(?P<field>\w+)\((?P<argument>\w+):\) (was removed|has changed type)"
)
_EXCUSABLE: dict[BreakingChangeType, tuple[tuple[re.Pattern[str], Lookup], ...]] = {
    BreakingChangeType.FIELD_REMOVED: ((_FIELD_CHANGE, _field_deprecated),),
    BreakingChangeType.FIELD_CHANGED_KIND: ((_FIELD_CHANGE, _field_deprecated),),
    BreakingChangeType.ARG_REMOVED: ((_ARGUMENT_CHANGE, _argument_deprecated),),
    BreakingChangeType.ARG_CHANGED_KIND: ((_ARGUMENT_CHANGE, _argument_deprecated),),
    BreakingChangeType.VALUE_REMOVED_FROM_ENUM: (
        (
            re.compile(r"Enum value (?P<type>\w+)\.(?P<value>\w+) was removed"),
            _enum_value_deprecated,
        ),
    ),
    BreakingChangeType.TYPE_REMOVED: (
        (re.compile(r"(?P<type>\w+) was removed\.$"), _only_reached_through_deprecated),
    ),
}

HOW_TO_FIX = (
    "The schema breaks clients of the last release (graphql_schema/released.graphql).\n"
    "Make the change additive instead: add the new field or value, mark the old one\n"
    '@deprecated(reason: "use ... instead") and release that, then remove it in a later\n'
    "release. Breaking changes:\n"
)


def test_the_schema_breaks_nothing_of_the_last_release() -> None:
    comparison = compare(RELEASED.read_text(), build_current_schema()._schema)

    for description in comparison.dangerous:
        warnings.warn(f"dangerous change since the last release: {description}", stacklevel=1)
    for description in comparison.excused:
        warnings.warn(f"removed after deprecation: {description}", stacklevel=1)
    assert comparison.breaking == [], HOW_TO_FIX + "\n".join(
        f"  - {description}" for description in comparison.breaking
    )


# The checker itself, on small handmade schemas.
RELEASED_SDL = """
type Query {
  service(slug: String!): Service
  legacyServices: [Service!]! @deprecated(reason: "use service")
}

type Service {
  slug: String!
  name: String!
  owner: Team @deprecated(reason: "use ownerTeam")
  ownerTeam: Team
  tier: Tier!
}

type Team {
  name: String!
}

enum Tier {
  TIER_1
  TIER_2
  TIER_5 @deprecated(reason: "there are four tiers")
}
"""


def _against(current_sdl: str) -> Comparison:
    return compare(RELEASED_SDL, build_schema(current_sdl))


def _edited(old: str, new: str) -> str:
    assert RELEASED_SDL.count(old) == 1, f"{old!r} is not one place of the released SDL"
    return RELEASED_SDL.replace(old, new)


def test_the_same_schema_has_no_changes() -> None:
    assert _against(RELEASED_SDL) == Comparison(breaking=[], excused=[], dangerous=[])


def test_removing_a_field_fails() -> None:
    comparison = _against(_edited("  name: String!\n  owner", "  owner"))

    assert comparison.breaking == ["Field Service.name was removed."]


def test_removing_a_deprecated_field_passes() -> None:
    comparison = _against(_edited('  owner: Team @deprecated(reason: "use ownerTeam")\n', ""))

    assert comparison == Comparison(
        breaking=[], excused=["Field Service.owner was removed."], dangerous=[]
    )


def test_changing_a_field_type_fails() -> None:
    comparison = _against(_edited("name: String!\n  owner", "name: Int!\n  owner"))

    assert comparison.breaking == ["Field Service.name changed type from String! to Int!."]


def test_making_a_field_nullable_fails() -> None:
    comparison = _against(_edited("name: String!\n  owner", "name: String\n  owner"))

    assert comparison.breaking == ["Field Service.name changed type from String! to String."]


def test_changing_a_deprecated_field_type_passes() -> None:
    comparison = _against(_edited("owner: Team @deprecated", "owner: String @deprecated"))

    assert comparison.breaking == []
    assert comparison.excused == ["Field Service.owner changed type from Team to String."]


def test_adding_a_field_passes() -> None:
    comparison = _against(_edited("  tier: Tier!\n", "  tier: Tier!\n  description: String\n"))

    assert comparison == Comparison(breaking=[], excused=[], dangerous=[])


def test_adding_a_required_argument_fails() -> None:
    comparison = _against(_edited("  legacyServices:", "  legacyServices(first: Int!):"))

    assert comparison.breaking == ["A required argument Query.legacyServices(first:) was added."]


def test_adding_an_optional_argument_is_dangerous_not_breaking() -> None:
    comparison = _against(_edited("service(slug: String!)", "service(slug: String!, at: String)"))

    assert comparison.breaking == []
    assert comparison.dangerous == ["An optional argument Query.service(at:) was added."]


def test_removing_an_argument_fails() -> None:
    comparison = _against(_edited("service(slug: String!)", "service"))

    assert comparison.breaking == ["Argument Query.service(slug:) was removed."]


def test_removing_an_enum_value_fails_unless_it_was_deprecated() -> None:
    comparison = _against(_edited("  TIER_2\n", ""))
    deprecated = _against(_edited('  TIER_5 @deprecated(reason: "there are four tiers")\n', ""))

    assert comparison.breaking == ["Enum value Tier.TIER_2 was removed."]
    assert (deprecated.breaking, deprecated.excused) == (
        [],
        ["Enum value Tier.TIER_5 was removed."],
    )


def test_adding_an_enum_value_is_dangerous_not_breaking() -> None:
    comparison = _against(_edited("  TIER_2\n", "  TIER_2\n  TIER_3\n"))

    assert comparison == Comparison(
        breaking=[], excused=[], dangerous=["Enum value Tier.TIER_3 was added."]
    )


def test_removing_a_type_reached_only_through_deprecated_fields_passes() -> None:
    released = RELEASED_SDL.replace("  ownerTeam: Team\n", "")
    current = released.replace('  owner: Team @deprecated(reason: "use ownerTeam")\n', "")
    current = current.replace("type Team {\n  name: String!\n}\n", "")

    comparison = compare(released, build_schema(current))

    assert comparison.breaking == []
    assert sorted(comparison.excused) == ["Field Service.owner was removed.", "Team was removed."]


def test_removing_a_type_still_in_use_fails() -> None:
    current = _edited("  ownerTeam: Team\n", "").replace(
        '  owner: Team @deprecated(reason: "use ownerTeam")\n', ""
    )
    current = current.replace("type Team {\n  name: String!\n}\n", "")

    comparison = _against(current)

    assert sorted(comparison.breaking) == [
        "Field Service.ownerTeam was removed.",
        "Team was removed.",
    ]
    assert comparison.excused == ["Field Service.owner was removed."]


@pytest.mark.parametrize(
    "description",
    ["Something unforeseen was removed.", "Field Service.owner moved somewhere else."],
)
def test_a_change_the_checker_cannot_read_is_never_excused(description: str) -> None:
    released = build_schema(RELEASED_SDL)

    for change_type in (BreakingChangeType.FIELD_REMOVED, BreakingChangeType.TYPE_REMOVED):
        assert not _was_deprecated(released, BreakingChange(change_type, description))
