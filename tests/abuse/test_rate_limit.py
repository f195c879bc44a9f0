"""Per-citizen rate limiting: the token bucket on a fake clock, whom a request counts
against, and the 429 the API answers with once a caller's budget is spent.
"""

from types import SimpleNamespace
from typing import cast

import httpx
import pytest
from temporalio.client import Client

from onceonly.api import limits
from onceonly.api.app import create_app
from onceonly.api.limits import CallerBudgets, RateLimit, TokenBucket, caller_of
from onceonly.auth import citizen_key, mint_token
from onceonly.settings import Settings


class FakeClock:
    """Monotonic seconds that move only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the bucket -------------------------------------------------------------------------------


def test_a_bucket_allows_its_burst_then_says_how_long_to_wait():
    bucket = TokenBucket(capacity=3, rate=0.5, now=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == pytest.approx(2.0)  # one token at half a token a second
    assert bucket.take(1.0) == pytest.approx(1.0)  # a refused request spends nothing
    assert bucket.take(2.0) == 0.0
    assert bucket.take(2.0) == pytest.approx(2.0)


def test_a_bucket_refills_to_its_capacity_and_no_further():
    bucket = TokenBucket(capacity=2, rate=1.0, now=0.0)
    bucket.take(0.0)
    bucket.take(0.0)
    assert [bucket.take(3600.0) for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]


def test_a_clock_stepping_back_neither_drains_nor_fills_a_bucket():
    bucket = TokenBucket(capacity=1, rate=1.0, now=100.0)
    assert bucket.take(100.0) == 0.0
    assert bucket.take(50.0) == pytest.approx(1.0)
    assert bucket.take(101.0) == 0.0


def test_each_caller_has_a_budget_of_their_own():
    clock = FakeClock()
    budgets = CallerBudgets(per_minute=60, burst=2, clock=clock)
    assert [budgets.take("citizen:a") for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]
    assert budgets.take("citizen:b") == 0.0
    clock.now += 1
    assert budgets.take("citizen:a") == 0.0


def test_the_least_recently_seen_caller_is_forgotten_first(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CALLERS", 2)
    budgets = CallerBudgets(per_minute=1, burst=1, clock=FakeClock())
    budgets.take("a")
    budgets.take("b")
    assert budgets.take("a") > 0  # "a" is now the most recent; "b" goes when "c" comes
    budgets.take("c")
    assert budgets.take("a") > 0
    assert budgets.take("b") == 0.0  # forgotten, so a fresh (full) bucket


# --- whom a request counts against ------------------------------------------------------------


def _scope(authorization: str | None, client: tuple[str, int] | None = ("203.0.113.7", 5000)):
    headers = [(b"authorization", authorization.encode())] if authorization else []
    return {"type": "http", "path": "/v1/life-events", "headers": headers, "client": client}


def test_a_valid_citizens_token_counts_against_the_citizen(settings):
    token = mint_token(settings, "citizen-1")
    expected = f"citizen:{citizen_key(settings, 'citizen-1')}"
    assert caller_of(settings, _scope(f"Bearer {token}")) == expected
    assert caller_of(settings, _scope(f"bearer {token}", client=("198.51.100.1", 1))) == expected


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer a.b.c"],
)
def test_a_request_without_a_valid_citizens_token_counts_against_its_address(
    settings, authorization
):
    assert caller_of(settings, _scope(authorization)) == "address:203.0.113.7"


def test_forged_and_operator_tokens_count_against_the_address(settings):
    forged = mint_token(Settings(jwt_secret="another-secret-0123456789-0123456789"), "x")
    operator = mint_token(settings, "alice", role="operator")
    for token in (forged, operator):
        assert caller_of(settings, _scope(f"Bearer {token}")) == "address:203.0.113.7"
    assert caller_of(settings, _scope(None, client=None)) == "address:unknown"


# --- the API's answer -------------------------------------------------------------------------


def _api(settings: Settings, clock: FakeClock) -> httpx.AsyncClient:
    # The app's own limit off, ours (on the fake clock) around it.
    inner = create_app(
        settings.model_copy(update={"rate_limit_per_minute": 0}),
        temporal=cast(Client, SimpleNamespace()),
    )
    app = RateLimit(inner, settings, clock=clock)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://api.test")


@pytest.fixture
def limited(settings) -> Settings:
    return settings.model_copy(update={"rate_limit_per_minute": 30, "rate_limit_burst": 5})


async def test_a_citizen_past_their_budget_gets_429_with_retry_after(limited):
    clock = FakeClock()
    headers = {"Authorization": f"Bearer {mint_token(limited, 'flooding-citizen')}"}
    async with _api(limited, clock) as api:
        answers = [(await api.get("/v1/catalogue", headers=headers)).status_code for _ in range(5)]
        refused = await api.get("/v1/catalogue", headers=headers)
        assert answers == [200] * 5
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "2"  # a token every 2 s at 30 a minute
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["status"] == 429
        assert problem["title"] == "Too many requests"
        assert problem["detail"].startswith("rate limit: at most 30 requests a minute")

        other = {"Authorization": f"Bearer {mint_token(limited, 'another-citizen')}"}
        assert (await api.get("/v1/catalogue", headers=other)).status_code == 200
        clock.now += 2
        assert (await api.get("/v1/catalogue", headers=headers)).status_code == 200
        assert (await api.get("/v1/catalogue", headers=headers)).status_code == 429


async def test_made_up_tokens_share_their_addresss_budget(limited):
    async with _api(limited, FakeClock()) as api:
        statuses = []
        for n in range(7):
            forged = mint_token(Settings(jwt_secret=f"forger-{n}-0123456789-0123456789-0"), "x")
            response = await api.get(
                "/v1/life-events", headers={"Authorization": f"Bearer {forged}"}
            )
            statuses.append(response.status_code)
        assert statuses == [401] * 5 + [429] * 2


async def test_health_metrics_and_the_openapi_document_are_never_limited(limited):
    async with _api(limited, FakeClock()) as api:
        for path in ("/healthz", "/metrics", "/openapi.json"):
            assert {(await api.get(path)).status_code for _ in range(10)} == {200}


async def test_a_limit_of_zero_turns_limiting_off(settings):
    unlimited = settings.model_copy(update={"rate_limit_per_minute": 0, "rate_limit_burst": 1})
    async with _api(unlimited, FakeClock()) as api:
        assert {(await api.get("/v1/catalogue")).status_code for _ in range(20)} == {200}


async def test_the_api_limits_each_caller_as_its_settings_say(settings):
    tight = settings.model_copy(update={"rate_limit_per_minute": 1, "rate_limit_burst": 3})
    app = create_app(tight, temporal=cast(Client, SimpleNamespace()))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as api:
        statuses = [(await api.get("/v1/catalogue")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert 1 <= int((await api.get("/v1/catalogue")).headers["retry-after"]) <= 60
