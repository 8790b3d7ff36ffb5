"""Bearer tokens from a real issuer over HTTP: the good one gets in, every forgery gets 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx
import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.changes import identity_changed
from identity.models import Person
from tests.builders.identity import create_membership, create_person, create_team
from tests.identity.idp import TestIssuer

VIEWER = "{ viewer { person { displayName email } roles teams { slug } isMachine } }"
INVALID = 'Bearer error="invalid_token"'


async def _viewer(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )


def _assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == INVALID
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        ("application/graphql-response+json", "application/graphql-response+json; charset=utf-8"),
    ],
)
async def test_a_refused_token_is_answered_in_the_media_type_asked_for(
    oidc_client: httpx.AsyncClient, accept: str | None, media_type: str
) -> None:
    headers = {"Authorization": "Bearer not-a-token"} | ({"Accept": accept} if accept else {})
    response = await oidc_client.post("/graphql", json={"query": VIEWER}, headers=headers)

    _assert_refused(response)
    assert response.headers["content-type"] == media_type
    assert "data" not in response.json()


async def test_a_valid_token_provisions_the_person_just_in_time(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    token = issuer.token(
        sub="alice-1", name="Alice Martin", email="alice@example.com", groups=["catalog-admins"]
    )

    response = await _viewer(oidc_client, token)

    assert response.status_code == 200
    viewer = response.json()["data"]["viewer"]
    assert viewer["person"] == {"displayName": "Alice Martin", "email": "alice@example.com"}
    assert "ADMIN" in viewer["roles"]
    assert viewer["isMachine"] is False
    people = await session.scalars(select(Person).where(Person.subject == "alice-1"))
    assert len(people.all()) == 1


async def test_the_same_person_is_found_again_not_duplicated(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    token = issuer.token(sub="bob-1", name="Bob")
    await _viewer(oidc_client, token)

    response = await _viewer(oidc_client, issuer.token(sub="bob-1", name="Bob"))

    assert response.json()["data"]["viewer"]["roles"] == ["VIEWER"]
    count = len((await session.scalars(select(Person).where(Person.subject == "bob-1"))).all())
    assert count == 1


async def test_memberships_give_team_roles(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    person = await create_person(session, issuer=issuer.issuer, subject="carol")
    team = await create_team(session, slug="crm-core")
    await create_membership(session, person_id=person.id, team_id=team.id)

    response = await _viewer(oidc_client, issuer.token(sub="carol"))

    viewer = response.json()["data"]["viewer"]
    assert viewer["teams"] == [{"slug": "crm-core"}]
    assert viewer["roles"] == ["CONTRIBUTOR", "TEAM_MEMBER", "VIEWER"]


async def test_a_machine_client_gets_its_configured_roles(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    response = await _viewer(oidc_client, issuer.token(sub="svc-monitoring", azp="monitoring"))

    viewer = response.json()["data"]["viewer"]
    assert viewer == {
        "person": None,
        "roles": ["SUPPORT_AGENT", "VIEWER"],
        "teams": [],
        "isMachine": True,
    }


async def test_a_deactivated_person_is_refused_with_an_unexpired_token(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    token = issuer.token(sub="dave")
    assert (await _viewer(oidc_client, token)).status_code == 200
    dave = await session.scalar(select(Person.id).where(Person.subject == "dave"))
    assert dave is not None
    await session.execute(update(Person).where(Person.id == dave).values(active=False))
    # Whoever deactivates someone says so (identity/changes.py), as SCIM does: the person
    # behind the token is cached until then.
    await identity_changed(session, [dave])
    await session.flush()

    _assert_refused(await _viewer(oidc_client, token))


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _hs256_signed_with_the_public_key(issuer: TestIssuer) -> str:
    """The classic key-confusion forgery: the RSA public key used as an HMAC secret."""
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": issuer.key.kid})
    claims = {"iss": issuer.issuer, "aud": "catalog-api", "sub": "x", "exp": 2**31}
    signing_input = f"{header}.{_b64(claims)}".encode()
    digest = hmac.new(issuer.key.as_pem(private=False), signing_input, hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return f"{signing_input.decode()}.{signature}"


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda i: i.token(aud="another-api"), id="wrong-audience"),
        pytest.param(lambda i: i.token(aud=None), id="missing-audience"),
        pytest.param(lambda i: i.token(iss=i.issuer + "/"), id="issuer-trailing-slash"),
        pytest.param(lambda i: i.token(iss="https://evil.example"), id="untrusted-issuer"),
        pytest.param(lambda i: i.token(exp=int(time.time()) - 120), id="expired"),
        pytest.param(lambda i: i.token(exp=None), id="missing-expiry"),
        pytest.param(lambda i: i.token(nbf=int(time.time()) + 600), id="not-yet-valid"),
        pytest.param(lambda i: i.token(iat=int(time.time()) + 600), id="issued-in-the-future"),
        pytest.param(lambda i: i.token(header={"kid": "nope"}), id="unknown-kid"),
        pytest.param(
            lambda i: i.token(key=RSAKey.generate_key(2048, parameters={"kid": i.key.kid})),
            id="known-kid-other-key",
        ),
        pytest.param(
            lambda i: (
                _b64({"alg": "none", "typ": "JWT"})
                + "."
                + _b64({"iss": i.issuer, "aud": "catalog-api", "sub": "x", "exp": 2**31})
                + "."
            ),
            id="alg-none",
        ),
        pytest.param(_hs256_signed_with_the_public_key, id="hs256-with-the-public-key"),
        pytest.param(lambda i: "not-a-jwt", id="garbage"),
    ],
)
async def test_forged_tokens_are_refused(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, forge: object
) -> None:
    token = forge(issuer)  # type: ignore[operator]

    _assert_refused(await _viewer(oidc_client, token))


async def test_a_tampered_payload_is_refused(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    header, payload, signature = issuer.token(sub="erin").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["groups"] = ["catalog-admins"]

    _assert_refused(await _viewer(oidc_client, ".".join([header, _b64(claims), signature])))


async def test_an_invalid_token_is_refused_on_public_routes_too(
    oidc_client: httpx.AsyncClient,
) -> None:
    response = await oidc_client.get("/healthz", headers={"Authorization": "Bearer junk"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID


async def test_an_anonymous_caller_is_challenged_when_anonymous_reads_are_off(
    oidc_client: httpx.AsyncClient,
) -> None:
    response = await oidc_client.post("/graphql", json={"query": "{ services { totalCount } }"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_rotated_key_is_picked_up_without_a_restart(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    assert (await _viewer(oidc_client, issuer.token(sub="frank"))).status_code == 200
    issuer.rotate()

    response = await _viewer(oidc_client, issuer.token(sub="frank"))

    assert response.status_code == 200


async def test_unknown_kids_do_not_refetch_the_keys_each_time(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    await _viewer(oidc_client, issuer.token(sub="gina"))
    before = issuer.jwks_requests

    for _ in range(5):
        _assert_refused(await _viewer(oidc_client, issuer.token(header={"kid": "unknown"})))

    assert issuer.jwks_requests - before <= 1
