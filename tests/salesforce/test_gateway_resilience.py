"""Slow, failing and exhausted orgs, the breaker, expired tokens and TLS trust."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from core.salesforce_settings import SalesforceOrgConfig
from salesforce.deadline import Deadline
from salesforce.errors import SalesforceLimitExceeded, SalesforceUnavailable
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway

KEYS = ["sales-cloud", "service-cloud"]


async def _timed(call: object) -> tuple[float, object]:
    started = time.monotonic()
    try:
        result: object = await call  # type: ignore[misc]
    except Exception as error:
        result = error
    return time.monotonic() - started, result


async def test_a_slow_org_fails_at_the_deadline_while_a_healthy_one_stays_fast(
    gateway: SalesforceGateway, crm: FakeOrg
) -> None:
    crm.slow_s = 10
    deadline = gateway.deadline()  # 1 s

    (slow_s, slow), (fast_s, fast) = await asyncio.gather(
        _timed(gateway.open_cases("crm", KEYS, deadline=deadline)),
        _timed(gateway.open_cases("partners", KEYS, deadline=deadline)),
    )

    assert isinstance(slow, SalesforceUnavailable)
    assert slow.org_id == crm.org_id
    assert 0.9 < slow_s < 1.5
    assert fast == {"sales-cloud": [], "service-cloud": []}
    assert fast_s < 0.5


async def test_threads_left_behind_by_a_slow_org_do_not_starve_the_others(
    gateway: SalesforceGateway, crm: FakeOrg
) -> None:
    crm.slow_s = 10
    deadline = gateway.deadline()
    await asyncio.gather(
        *(_timed(gateway.open_cases("crm", [f"k{n}"], deadline=deadline)) for n in range(3))
    )
    left_behind = gateway.orgs["crm"].workers.threads  # still blocked in the slow org

    fast_s, fast = await _timed(gateway.ideas("partners", KEYS, deadline=gateway.deadline()))

    assert left_behind >= 1
    assert fast == {"sales-cloud": [], "service-cloud": []}
    assert fast_s < 2.0  # far below the slow org's 10 s, even on a loaded machine


async def test_a_failing_org_is_retried_then_unavailable_within_the_deadline(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    crm.failing = True

    elapsed, error = await _timed(gateway.ideas("crm", KEYS, deadline=gateway.deadline()))

    assert isinstance(error, SalesforceUnavailable)
    assert error.reason == "answered HTTP 503"
    assert len(fake.soql(crm)) == 3
    assert elapsed < 1.0


async def test_one_failure_is_retried_away(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    crm.fail_next = 1

    ideas = await gateway.ideas("crm", KEYS, deadline=gateway.deadline())

    assert ideas == {"sales-cloud": [], "service-cloud": []}
    assert [call.status for call in fake.calls if call.kind == "query"] == [503, 200]


async def test_an_org_out_of_api_calls_raises_limit_exceeded_without_retrying(
    gateway: SalesforceGateway, fake: FakeSalesforce, partners: FakeOrg
) -> None:
    partners.exhaust()

    with pytest.raises(SalesforceLimitExceeded) as raised:
        await gateway.limits("partners", deadline=gateway.deadline())

    assert raised.value.org_id == partners.org_id
    assert raised.value.code == "SALESFORCE_LIMIT_EXCEEDED"
    assert len(fake.calls) == 1


async def test_the_breaker_opens_then_recovers(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    crm.failing = True
    for n in range(3):  # threshold 3
        await _timed(gateway.ideas("crm", [f"k{n}"], deadline=gateway.deadline()))
    fake.clear_calls()

    _, refused = await _timed(gateway.ideas("crm", ["k9"], deadline=gateway.deadline()))
    calls_while_open = len(fake.calls)
    state_while_open = gateway.breaker_state("crm")
    crm.heal()
    await asyncio.sleep(0.6)  # the breaker's ttl is 0.5 s
    recovered = await gateway.ideas("crm", ["k9"], deadline=gateway.deadline())

    assert isinstance(refused, SalesforceUnavailable)
    assert refused.reason == "circuit open after repeated failures"
    assert calls_while_open == 0
    assert recovered == {"k9": []}
    # What /metrics reports as salesforce_breaker_state.
    assert state_while_open == "opened"
    assert gateway.breaker_state("crm") == "closed"
    assert gateway.breaker_state("partners") == "closed"


async def test_an_expired_token_is_renewed_once(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    await gateway.ideas("crm", ["a"], deadline=gateway.deadline())
    fake.expire_sessions(crm)

    await gateway.ideas("crm", ["b"], deadline=gateway.deadline())

    assert [(call.kind, call.status) for call in fake.calls] == [
        ("token", 200),
        ("query", 200),
        ("query", 401),
        ("token", 200),
        ("query", 200),
    ]


async def test_an_expired_ready_session_cannot_be_renewed(
    gateway: SalesforceGateway, fake: FakeSalesforce, partners: FakeOrg
) -> None:
    fake.expire_sessions(partners)

    with pytest.raises(SalesforceUnavailable, match=r"session refused \(INVALID_SESSION_ID\)"):
        await gateway.ideas("partners", ["a"], deadline=gateway.deadline())


async def test_an_assertion_signed_with_another_key_is_refused(
    org_configs: dict[str, SalesforceOrgConfig], ca_bundle: Path, tmp_path: Path
) -> None:
    import trustme

    other = tmp_path / "other.key"
    trustme.CA().issue_cert("x", key_type=trustme.KeyType.RSA).private_key_pem.write_to_path(
        str(other)
    )
    config = org_configs["crm"].model_copy(update={"private_key_path": other})
    gateway = SalesforceGateway({"crm": config}, ca_bundle=ca_bundle, timeout_s=1.0)

    with pytest.raises(SalesforceUnavailable, match=r"token refused \(invalid_grant\)"):
        await gateway.ideas("crm", ["a"], deadline=gateway.deadline())
    await gateway.close()


async def test_the_ca_bundle_wins_over_requests_ca_bundle(
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    gateway = SalesforceGateway(org_configs, ca_bundle=ca_bundle, timeout_s=1.0)

    assert await gateway.ideas("partners", ["a"], deadline=gateway.deadline()) == {"a": []}
    await gateway.close()


async def test_without_a_ca_bundle_the_standard_trust_applies(
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    untrusted = SalesforceGateway(org_configs, timeout_s=1.0)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_bundle))
    trusted = SalesforceGateway(org_configs, timeout_s=1.0)

    assert await trusted.ideas("partners", ["a"], deadline=trusted.deadline()) == {"a": []}
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with pytest.raises(SalesforceUnavailable):
        await untrusted.ideas("partners", ["b"], deadline=untrusted.deadline())
    await trusted.close()
    await untrusted.close()


async def test_threads_an_org_leaves_behind_are_capped(
    org_configs: dict[str, SalesforceOrgConfig], ca_bundle: Path, crm: FakeOrg
) -> None:
    gateway = SalesforceGateway(org_configs, ca_bundle=ca_bundle, breaker_threshold=100)
    crm.slow_s = 10
    workers = gateway.orgs["crm"].workers  # 4 at a time, 8 alive at most
    deadline = Deadline.after(0.3)

    outcomes = await asyncio.gather(
        *(_timed(gateway.open_cases("crm", [f"k{n}"], deadline=deadline)) for n in range(12))
    )
    alive_after_deadline = workers.threads
    await asyncio.sleep(1.0)  # each thread's timeouts are what remained of the deadline

    reasons = [str(getattr(error, "reason", error)) for _, error in outcomes]
    assert sum(reason.endswith("within the deadline") for reason in reasons) == 8
    assert reasons.count("too many calls still running") == 4
    assert alive_after_deadline <= workers.limiter.total_tokens
    assert workers.threads == 0
    await gateway.close()


async def test_failures_are_logged_without_tokens_or_keys(
    gateway: SalesforceGateway,
    fake: FakeSalesforce,
    crm: FakeOrg,
    partners: FakeOrg,
    org_configs: dict[str, SalesforceOrgConfig],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await gateway.ideas("crm", ["a"], deadline=gateway.deadline())
    crm_tokens = [token for token, org_id in fake.state.sessions.items() if org_id == crm.org_id]
    crm.failing = True
    fake.expire_sessions(partners)
    await _timed(gateway.ideas("crm", ["b"], deadline=gateway.deadline()))
    await _timed(gateway.ideas("partners", ["b"], deadline=gateway.deadline()))

    secrets = [*crm_tokens, org_configs["partners"].session_id or "?"]
    key_path = org_configs["crm"].private_key_path
    assert key_path is not None
    key_lines = key_path.read_text().splitlines()[1:-1]
    assert f"Salesforce org {crm.org_id}: answered HTTP 503" in caplog.text
    assert f"Salesforce org {partners.org_id}: session refused" in caplog.text
    assert not [secret for secret in secrets if secret in caplog.text]
    assert not [line for line in key_lines if line in caplog.text]
