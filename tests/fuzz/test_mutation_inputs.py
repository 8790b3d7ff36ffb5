"""Every mutation, as ADMIN over the demo, with inputs drawn from its input type (inputs.py).

Whatever the input: no INTERNAL_SERVER_ERROR; and when the mutation is refused (userErrors,
or a top-level error such as BAD_USER_INPUT) the payload has no object and nothing was
written: no table gained or lost a row, and no history version was recorded. A refusal's
audit event is the one write expected (identity/audit: refusals are audited).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import make_engine
from server.app import create_app
from server.registry import metadata
from tests.fuzz import harness
from tests.fuzz.inputs import MUTATIONS, SCHEMA, MutationInputs
from tests.identity.idp import TestIssuer
from tests.lifespan import lifespan

pytestmark = pytest.mark.fuzz

# A refusal is audited: the one table a refused mutation writes to.
UNCOUNTED = frozenset({"audit_event"})


def _document(mutation: str) -> str:
    """`mutation($input: …) { name(input: $input) { <every field> userErrors {…} } }`."""
    assert SCHEMA.mutation_type is not None
    field = SCHEMA.mutation_type.fields[mutation]
    payload = graphql.get_named_type(field.type)
    assert isinstance(payload, graphql.GraphQLObjectType)
    selected = [
        name if graphql.is_leaf_type(graphql.get_named_type(f.type)) else f"{name} {{ __typename }}"
        for name, f in payload.fields.items()
        if name != "userErrors"
    ]
    return (
        f"mutation($input: {field.args['input'].type}) {{ {mutation}(input: $input) {{ "
        f"{' '.join(selected)} userErrors {{ field message code }} }} }}"
    )


def _nullable_fields(mutation: str) -> list[str]:
    assert SCHEMA.mutation_type is not None
    payload = graphql.get_named_type(SCHEMA.mutation_type.fields[mutation].type)
    assert isinstance(payload, graphql.GraphQLObjectType)
    return [
        name
        for name, field in payload.fields.items()
        if name != "userErrors" and not isinstance(field.type, graphql.GraphQLNonNull)
    ]


@pytest.fixture(scope="session")
async def demo_engine(demo_database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(demo_database)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def admin_client(
    demo_database: str, fuzz_issuer: TestIssuer, admin_headers: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(harness.fuzz_settings(fuzz_issuer), database_url=demo_database)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=admin_headers
        ) as client:
            # The first request provisions the ADMIN person: not a write of any mutation.
            assert (
                await client.post("/graphql", json={"query": "{ viewer { roles } }"})
            ).is_success
            yield client


@pytest.fixture(scope="session")
def mutation_inputs(demo_values: harness.DemoValues) -> MutationInputs:
    return MutationInputs(demo_values)


async def _rows(engine: AsyncEngine) -> dict[str, int]:
    """Rows of every table (history included), in one statement."""
    names = sorted(set(metadata.tables) - UNCOUNTED)
    counts = [select(func.count()).select_from(table(name)).scalar_subquery() for name in names]
    async with engine.connect() as connection:
        row = (await connection.execute(select(*counts))).one()
    return dict(zip(names, row, strict=True))


@pytest.mark.parametrize("mutation", MUTATIONS)
@settings(
    max_examples=harness.KNOBS.inputs,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_a_refused_mutation_returns_no_object_and_writes_nothing(
    mutation: str,
    data: st.DataObject,
    admin_client: httpx.AsyncClient,
    demo_engine: AsyncEngine,
    mutation_inputs: MutationInputs,
) -> None:
    value = data.draw(mutation_inputs.of(mutation), label="input")
    before = await _rows(demo_engine)

    response = await admin_client.post(
        "/graphql", json={"query": _document(mutation), "variables": {"input": value}}
    )

    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    errors = body.get("errors") or []
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    assert not {None, "INTERNAL_SERVER_ERROR"} & set(codes), errors
    payload = (body.get("data") or {}).get(mutation)
    user_errors = payload["userErrors"] if payload else []
    if errors or user_errors:
        if payload:
            assert {name: payload[name] for name in _nullable_fields(mutation)} == dict.fromkeys(
                _nullable_fields(mutation)
            ), payload
        after = await _rows(demo_engine)
        changed = {
            name: (before[name], after[name]) for name in before if before[name] != after[name]
        }
        assert changed == {}, (user_errors or errors, changed)
