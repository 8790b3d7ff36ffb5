"""What every fuzz run shares: the app's settings, the callers, the checks and the demo's ids.

Used by the bounded runs in CI (tests/fuzz/) and by the longer run (`python -m bench.fuzz`).
The ADMIN caller is a real bearer token of a real issuer served over HTTP (tests/identity/
idp.py); the anonymous caller sends no token (anonymous reads are on in dev).
"""

from __future__ import annotations

import os
import re
import time
import unittest
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import graphql
import hypothesis
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from core.db import make_engine
from core.ids import encode_global_id
from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from graphql_schema.schema import build_schema
from tests.identity.idp import TestIssuer


@dataclass(frozen=True)
class Knobs:
    """How much to fuzz: CI's bounded run by default; `python -m bench.fuzz` sets the
    CATALOG_FUZZ_* variables for a longer one (HTTP=1: uvicorn on loopback, not in process)."""

    examples: int  # cases per operation and caller (REST: ten times as many)
    inputs: int  # drawn inputs per mutation (test_mutation_inputs.py)
    seconds: int  # the time cap of each run
    seed: int
    http: bool

    @classmethod
    def from_environment(cls) -> Knobs:
        def knob(name: str, default: int) -> int:
            return int(os.environ.get(f"CATALOG_FUZZ_{name}", default))

        return cls(
            # CI: ~95 GraphQL operations x 2 callers x 15 cases, and 3 REST operations x 150.
            examples=knob("EXAMPLES", 15),
            inputs=knob("INPUTS", 10),
            seconds=knob("SECONDS", 90),
            seed=knob("SEED", 14),
            http=os.environ.get("CATALOG_FUZZ_HTTP") == "1",
        )


KNOBS = Knobs.from_environment()
AnyCase = schemathesis.Case[Any]
Operation = schemathesis.APIOperation[Any, Any, Any, Any]

ADMIN_GROUP = "catalog-fuzz-admins"
# The production limits: a case is judged against what a deployed API would allow.
EXECUTION_TIMEOUT_S = 10.0
STATEMENT_TIMEOUT_MS = 5000
# A response later than this has outlived the execution timeout (with room for the HTTP path).
RESPONSE_TIME_LIMIT_S = EXECUTION_TIMEOUT_S + 2
# How often a generated ID, id list element or slug is swapped for a real one of the demo.
REAL_VALUE_PROBABILITY = 0.5
SAMPLE_PER_TYPE = 8
PAGE_SIZES = (0, 1, 2, 10, 100)
MAX_INPUT_DEPTH = 4
_VERBS = re.compile(
    r"^(update|archive|delete|transition|confirm|vote|retract|merge|promote|rank|start|ship|"
    r"rollBack|assess|record|escalateTo|add|remove)"
)


# The backup tools' bearer token (`POST /api/backups`) in the fuzzed app.
BACKUP_WEBHOOK_TOKEN = "fuzz-backup-webhook-token"


def fuzz_settings(issuer: TestIssuer, **overrides: Any) -> Settings:
    """Development settings that trust `issuer` (its ADMIN group), with production time limits."""
    config = IssuerConfig(
        issuer=issuer.issuer, audience="catalog-api", role_map={ADMIN_GROUP: "ADMIN"}
    )
    values: dict[str, Any] = {
        "database_url": "postgresql://unused/unused",
        "oidc_issuers": (config,),
        "anonymous_read": True,
        "execution_timeout_s": EXECUTION_TIMEOUT_S,
        "statement_timeout_ms": STATEMENT_TIMEOUT_MS,
        "backup_webhook_token": BACKUP_WEBHOOK_TOKEN,
        "_env_file": None,
        **overrides,
    }
    return load_settings(**values)


def admin_headers(issuer: TestIssuer, *, valid_for_s: int = 4 * 3600) -> dict[str, str]:
    """An ADMIN's bearer token, valid for the whole run."""
    token = issuer.token(sub="fuzz-admin", groups=[ADMIN_GROUP], exp=int(time.time()) + valid_for_s)
    return {"Authorization": f"Bearer {token}"}


# --- checks -------------------------------------------------------------------------------


def _graphql_errors(response: schemathesis.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return []  # not JSON: the schema conformance check reports it
    errors = body.get("errors") if isinstance(body, dict) else None
    return [error for error in errors or [] if isinstance(error, dict)]


def _code(error: dict[str, Any]) -> Any:
    extensions = error.get("extensions")
    return extensions.get("code") if isinstance(extensions, dict) else None


def _outcome(response: schemathesis.Response) -> str:
    """The status, and for GraphQL the first error's code (`OK` without errors)."""
    if not response.headers.get("content-type", [""])[0].startswith("application/json"):
        return str(response.status_code)
    errors = _graphql_errors(response)
    return f"{response.status_code} {_code(errors[0]) if errors else 'OK'}"


def graphql_no_server_error(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: AnyCase
) -> bool | None:
    """No 5xx, and no GraphQL error coded INTERNAL_SERVER_ERROR (or not coded at all).

    schemathesis' own `not_a_server_error` counts every error with a `path` as a server error
    (FORBIDDEN, NOT_FOUND, PAGE_SIZE_EXCEEDED...); here the API's codes tell which are bugs.
    """
    if response.status_code >= 500:
        raise AssertionError(f"status {response.status_code}: {response.text[:500]}")
    bugs = [
        error
        for error in _graphql_errors(response)
        if _code(error) in (None, "INTERNAL_SERVER_ERROR")
    ]
    if bugs:
        raise AssertionError("; ".join(f"{_code(e)}: {e.get('message')}" for e in bugs)[:1000])
    return None


def graphql_within_execution_timeout(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: AnyCase
) -> bool | None:
    """No TIMEOUT error, and no answer later than the execution timeout allows."""
    if response.elapsed > RESPONSE_TIME_LIMIT_S:
        raise AssertionError(f"answered after {response.elapsed:.1f} s")
    timeouts = [error for error in _graphql_errors(response) if _code(error) == "TIMEOUT"]
    if timeouts:
        raise AssertionError(f"TIMEOUT: {timeouts[0].get('message')}")
    return None


def rest_within_execution_timeout(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: AnyCase
) -> bool | None:
    if response.elapsed > RESPONSE_TIME_LIMIT_S:
        raise AssertionError(f"answered after {response.elapsed:.1f} s")
    return None


def graphql_checks() -> list[schemathesis.CheckFunction]:
    """Ours, and schemathesis' conformance (JSON object, no null in a non-null field)."""
    return [
        graphql_no_server_error,
        graphql_within_execution_timeout,
        response_schema_conformance,
    ]


def rest_checks() -> list[schemathesis.CheckFunction]:
    """schemathesis' server-error and conformance checks against `/openapi.json`."""
    return [
        *rest_server_checks(),
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]


def rest_server_checks() -> list[schemathesis.CheckFunction]:
    return [not_a_server_error, rest_within_execution_timeout]


# --- the demo's real values, as schemathesis dictionaries ---------------------------------


# Node types whose table is not their name in snake case.
TABLES = {"Evaluation": "ai_model_evaluation", "Delivery": "notification_delivery"}


def _snake(name: str) -> str:
    """`ServiceRequest` → `service_request`, `AIModel` → `ai_model`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _node_types(schema: graphql.GraphQLSchema) -> list[str]:
    node = schema.get_type("Node")
    assert isinstance(node, graphql.GraphQLInterfaceType)
    return sorted(type_.name for type_ in schema.get_implementations(node).objects)


def named_type(field_name: str, root_field: str, node_types: set[str]) -> str | None:
    """The Node type an ID argument names: `serviceId` a Service, `id` of `updateTeam` a Team."""
    if field_name in ("id", "ids"):
        candidate = _VERBS.sub("", root_field)
    else:
        candidate = re.sub(r"Ids?$", "", field_name)
    candidate = candidate[:1].upper() + candidate[1:]
    return candidate if candidate in node_types else None


def _id_paths(type_: graphql.GraphQLInputType, path: str, depth: int) -> Iterator[tuple[str, str]]:
    """(binding path, leaf name) of every ID and `slug` String under an argument."""
    named = graphql.get_nullable_type(type_)
    if isinstance(named, graphql.GraphQLList):
        yield from _id_paths(named.of_type, f"{path}[*]", depth)
        return
    leaf = path.rsplit(".", 1)[-1].removesuffix("[*]")
    if isinstance(named, graphql.GraphQLScalarType):
        if named.name == "ID" or (named.name == "String" and leaf == "slug"):
            yield path, leaf
    elif isinstance(named, graphql.GraphQLInputObjectType) and depth < MAX_INPUT_DEPTH:
        for name, field in named.fields.items():
            yield from _id_paths(field.type, f"{path}.{name}", depth + 1)


@dataclass(frozen=True)
class DemoValues:
    """Some global ids of every Node type, and the slugs of services and teams."""

    ids: dict[str, list[str]]
    slugs: list[str]

    def graphql_config(self) -> schemathesis.Config:
        """Every ID argument (at any depth of an input) and every `slug` draws, half the time, a
        real value of the demo: of the Node type its name tells, when it tells one."""
        schema = build_schema()._schema
        node_types = {name for name, values in self.ids.items() if values}
        dictionaries: dict[str, Any] = {
            f"ids-{name}": {"values": values} for name, values in self.ids.items() if values
        }
        dictionaries["ids"] = {
            "values": [value for values in self.ids.values() for value in values]
        }
        dictionaries["slugs"] = {"values": self.slugs}
        dictionaries["page-sizes"] = {"values": list(PAGE_SIZES)}
        # Half the pages within the cap, not PAGE_SIZE_EXCEEDED (a nested connection's too).
        parameters: dict[str, Any] = {
            f"*.*.{name}": {"dictionary": "page-sizes", "probability": REAL_VALUE_PROBABILITY}
            for name in ("first", "last")
        }
        for root in (schema.query_type, schema.mutation_type):
            assert root is not None
            for field_name, field_ in root.fields.items():
                for arg_name, arg in field_.args.items():
                    for path, leaf in _id_paths(arg.type, arg_name, 0):
                        named = named_type(leaf, field_name, node_types)
                        dictionary = (
                            "slugs" if leaf == "slug" else f"ids-{named}" if named else "ids"
                        )
                        parameters[f"{root.name}.{field_name}.{path}"] = {
                            "dictionary": dictionary,
                            "probability": REAL_VALUE_PROBABILITY,
                        }
        return schemathesis.Config.from_dict(
            {"dictionaries": dictionaries, "parameters": parameters}
        )

    def rest_config(self) -> schemathesis.Config:
        """The feedback's `service`, half the time a real slug or global id."""
        services = [*self.slugs, *self.ids.get("Service", [])]
        return schemathesis.Config.from_dict(
            {
                "dictionaries": {"services": {"values": services}},
                "parameters": {
                    "body.service": {
                        "dictionary": "services",
                        "probability": REAL_VALUE_PROBABILITY,
                    }
                },
            }
        )


async def demo_values(database_url: str) -> DemoValues:
    """Read from the database: a Node type's table is its name in snake case (or TABLES)."""
    schema = build_schema()._schema
    engine = make_engine(database_url)
    ids: dict[str, list[str]] = {}
    try:
        async with engine.connect() as connection:
            for type_name in _node_types(schema):
                table = TABLES.get(type_name, _snake(type_name))
                rows = await connection.execute(
                    text(f'SELECT id FROM "{table}" ORDER BY id LIMIT :n'),
                    {"n": SAMPLE_PER_TYPE},
                )
                ids[type_name] = [encode_global_id(type_name, row.id) for row in rows]
            slugs = [
                row.slug
                for table in ("service", "team")
                for row in await connection.execute(
                    text(f"SELECT slug FROM {table} ORDER BY slug LIMIT :n"), {"n": SAMPLE_PER_TYPE}
                )
            ]
    finally:
        await engine.dispose()
    return DemoValues(ids, slugs)


# --- one run: its cases, its time cap, what it found --------------------------------------


@dataclass
class Run:
    """One caller against one API, with a time cap: after `seconds`, no new operation starts.

    An operation already started runs to its end (its shrinking too), so the cap never hides
    a failure; the operations it kept from starting are skipped, and listed."""

    name: str
    seconds: float
    started_at: float = field(default_factory=time.monotonic)
    cases: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    finished_at: float | None = None

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    @property
    def elapsed(self) -> float:
        return (self.finished_at or time.monotonic()) - self.started_at

    def admit(self, label: str) -> None:
        if time.monotonic() - self.started_at > self.seconds:
            self.skipped.append(label)
            raise unittest.SkipTest(f"the {self.name} run's {self.seconds:.0f} s are spent")

    def send(
        self,
        case: AnyCase,
        *,
        checks: Sequence[schemathesis.CheckFunction],
        headers: dict[str, str] | None = None,
    ) -> None:
        label = case.operation.label
        self.cases[label] += 1
        try:
            response = case.call(headers=headers)
            self.outcomes[_outcome(response)] += 1
            case.validate_response(response, checks=list(checks), headers=headers)
        except schemathesis.errors.FailureGroup as group:
            found = "; ".join(f"{failure.title}: {failure.message}" for failure in group.exceptions)
            self.failures.setdefault(label, " ".join(found.split())[:500])
            raise
        finally:
            self.finished_at = time.monotonic()

    def summary(self) -> dict[str, Any]:
        return {
            "run": self.name,
            "cases": self.total,
            "operations": len(self.cases),
            "seconds": round(self.elapsed, 1),
            "outcomes": dict(self.outcomes.most_common()),
            "skipped": self.skipped,
            "failures": self.failures,
        }


def fuzz_operation(
    run: Run,
    operation: Operation,
    *,
    examples: int,
    seed: int,
    checks: Sequence[schemathesis.CheckFunction],
    headers: dict[str, str] | None = None,
) -> None:
    """Up to `examples` cases of one operation, from a seed of its own."""
    run.admit(operation.label)
    positive = operation.as_strategy(schemathesis.GenerationMode.POSITIVE)
    negative = operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)
    # Three valid cases for one invalid: the invalid ones mostly stop at validation.
    cases = st.sampled_from((positive, positive, positive, negative)).flatmap(lambda s: s)

    @hypothesis.seed(zlib.crc32(f"{seed}/{operation.label}".encode()))
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,  # the seed decides, in CI (Hypothesis' `ci` profile) as here
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.generate, hypothesis.Phase.shrink],
    )
    @hypothesis.given(case=cases)
    def fuzz(case: AnyCase) -> None:
        run.send(case, checks=checks, headers=headers)

    fuzz()
