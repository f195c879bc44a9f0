"""A citizen's rate budget in the shared database: every API replica spends from the one
budget, refilled on the database's clock."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from types import SimpleNamespace
from typing import cast

import httpx
import pytest
from temporalio.client import Client

from onceonly.api.app import create_app
from onceonly.auth import mint_token
from onceonly.settings import Settings
from onceonly.store import RateBudgets, Store, migrate_store, opened_store


def budgets_of(*stores: Store) -> list[RateBudgets]:
    """Each store's shared budgets (which a store on a database always has)."""
    budgets = [store.budgets for store in stores]
    assert all(budget is not None for budget in budgets)
    return cast(list[RateBudgets], budgets)


@pytest.fixture
async def shared(settings: Settings, fresh_database: str) -> Settings:
    shared = settings.model_copy(
        update={"database_url": fresh_database, "rate_limit_per_minute": 60, "rate_limit_burst": 5}
    )
    await migrate_store(shared)
    return shared


async def test_two_replicas_spend_one_budget(shared):
    async with opened_store(shared) as one, opened_store(shared) as two:
        budgets = budgets_of(one, two)
        waits = [await budgets[n % 2].wait("citizen:a") for n in range(8)]
        assert waits[:5] == [0.0] * 5
        # A token a second at 60 a minute: the first refusal waits about a second.
        assert all(0.5 < wait <= 1.0 for wait in waits[5:]), waits
        assert await budgets[0].wait("citizen:b") == 0.0  # each caller has their own


async def test_a_budget_refills_at_its_rate(settings, fresh_database):
    limits = {"rate_limit_per_minute": 6000, "rate_limit_burst": 2}
    quick = settings.model_copy(update={"database_url": fresh_database, **limits})
    await migrate_store(quick)
    async with opened_store(quick) as store:
        [budgets] = budgets_of(store)
        assert [await budgets.wait("c") for _ in range(2)] == [0.0, 0.0]
        assert await budgets.wait("c") > 0
        await asyncio.sleep(0.05)  # 100 a second: several tokens back
        assert await budgets.wait("c") == 0.0


async def test_many_requests_at_once_on_two_replicas_get_exactly_the_burst(shared):
    async with opened_store(shared) as one, opened_store(shared) as two:
        budgets = budgets_of(one, two)
        waits = await asyncio.gather(*(budgets[n % 2].wait("citizen:c") for n in range(30)))
        # 5 at once, plus whatever refilled (a token a second) while they ran.
        assert 5 <= waits.count(0.0) <= 6, waits


@pytest.fixture
async def two_apis(shared) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with AsyncExitStack() as stack:
        apis = []
        for _ in range(2):
            app = create_app(shared, temporal=cast(Client, SimpleNamespace()))
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app)
            apis.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url="http://api.test")
                )
            )
        yield apis


async def test_a_citizen_alternating_between_two_apis_stops_at_one_budget(shared, two_apis):
    headers = {"Authorization": f"Bearer {mint_token(shared, 'busy-citizen')}"}
    statuses = [
        (await two_apis[n % 2].get("/v1/catalogue", headers=headers)).status_code for n in range(8)
    ]
    assert statuses == [200] * 5 + [429] * 3
    refused = await two_apis[0].get("/v1/catalogue", headers=headers)
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["detail"].startswith("rate limit: at most 60 requests a minute")
