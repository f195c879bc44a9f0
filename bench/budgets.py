"""What a citizen's shared rate budget costs per request: the API answering the same cheap
request (the public catalogue, as a signed-in citizen) with its budget in its own memory and
in the shared PostgreSQL, one request after another and 32 at once, in one process (ASGI, no
network), so the difference is the budget's round trip to the database.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any, cast

import httpx
from temporalio.client import Client

from bench.checks import ratio
from bench.report import table
from onceonly.api.app import create_app
from onceonly.auth import mint_token
from onceonly.settings import Settings

REQUESTS = 2_000
AT_ONCE = 32
# High enough that no request is refused: the figure is the cost of keeping count.
UNREFUSED = {"rate_limit_per_minute": 10_000_000, "rate_limit_burst": 10_000_000}


@asynccontextmanager
async def _api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, temporal=cast(Client, SimpleNamespace()))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield http


async def _ms_per_request(settings: Settings, at_once: int) -> float:
    headers = {"Authorization": f"Bearer {mint_token(settings, 'bench-citizen')}"}
    async with _api(settings) as api:
        for _ in range(50):  # warm: connections opened, routes compiled
            (await api.get("/v1/catalogue", headers=headers)).raise_for_status()
        gate = asyncio.Semaphore(at_once)

        async def one() -> None:
            async with gate:
                (await api.get("/v1/catalogue", headers=headers)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(REQUESTS)))
        return (time.perf_counter() - started) * 1000 / REQUESTS


async def measure_budget_cost(settings: Settings, database_url: str) -> dict[str, Any]:
    """Milliseconds per request with the budget in memory and in PostgreSQL, and their ratio;
    printed as a table."""
    own = settings.model_copy(update={**UNREFUSED, "database_url": None})
    shared = settings.model_copy(update={**UNREFUSED, "database_url": database_url})
    figures: dict[str, Any] = {}
    rows = []
    for at_once in (1, AT_ONCE):
        memory = await _ms_per_request(own, at_once)
        postgres = await _ms_per_request(shared, at_once)
        figures[f"{at_once}_at_once"] = {
            "memory_ms": round(memory, 3),
            "postgres_ms": round(postgres, 3),
            "added_ms": round(postgres - memory, 3),
            "ratio": ratio(postgres, memory),
        }
        rows.append([at_once, round(memory, 3), round(postgres, 3), round(postgres - memory, 3)])
    title = f"\nthe rate budget's cost per request ({REQUESTS} requests in one API process)"
    print(table(title, ("at once", "memory ms", "PostgreSQL ms", "added ms"), rows))
    return figures
