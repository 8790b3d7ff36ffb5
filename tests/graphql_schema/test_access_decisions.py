"""Access decisions are remembered per query text and role set, never across role sets."""

from __future__ import annotations

from graphql import parse

from graphql_schema.access import access_error
from graphql_schema.schema import build_schema
from identity.principal import Principal, Role

QUERY = "{ auditEvents(first: 1) { totalCount } }"


def _principal(*roles: Role) -> Principal:
    return Principal(subject="someone", issuer="test", granted_roles=frozenset(roles))


def test_one_query_text_is_decided_for_each_role_set_and_anonymous_caller() -> None:
    schema = build_schema()._schema
    document = parse(QUERY)
    viewer, auditor = _principal(Role.VIEWER), _principal(Role.AUDITOR)

    decisions = [
        access_error(schema, document, caller, QUERY)
        for caller in (viewer, auditor, None, viewer, auditor, None)
    ]

    codes = [None if error is None else (error.extensions or {})["code"] for error in decisions]
    assert codes == ["FORBIDDEN", None, "UNAUTHENTICATED"] * 2
    # Every refusal is an error of its own, for its own response.
    first, again = decisions[0], decisions[3]
    assert first is not None
    assert again is not None
    assert first is not again
    assert first.message == again.message == "auditEvents needs the AUDITOR role"
    assert access_error(schema, document, viewer) is not None  # without the text: no memory
