"""A birth told twice at the same instant to two API replicas sharing one PostgreSQL store
(as a cluster runs them), on a real Temporal dev server: exactly one request starts an
event; every other is answered 409 naming it. And once that event has ended (here ended by
an operator: no worker runs), the birth may be told again, on either replica."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from onceonly.api.app import create_app
from onceonly.auth import mint_token
from onceonly.samples import birth_request_data
from onceonly.settings import Settings
from onceonly.store import migrate_store
from onceonly.temporal import connect
from tests.conftest import TEST_PAYLOAD_KEYS
from tests.fuzz.temporal_server import temporal_dev_server

REPLICAS = 2
REQUESTS_EACH = 3


@pytest.fixture(scope="module")
def temporal_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with temporal_dev_server(tmp_path_factory.mktemp("temporal")) as address:
        yield address


@pytest.fixture
async def replicas(
    temporal_address: str, fresh_database: str, tmp_path: Path
) -> AsyncIterator[tuple[Settings, list[httpx.AsyncClient]]]:
    """Two API apps, each with its own Temporal client and its own pool to the one store."""
    settings = Settings(
        TEMPORAL_ADDRESS=temporal_address,
        payload_keys=TEST_PAYLOAD_KEYS,
        jwt_secret="replica-jwt-secret-0123456789-0123456789",
        citizen_key_secret="replica-citizen-key-secret",
        rate_limit_per_minute=0,
        database_url=fresh_database,
        state_dir=tmp_path,
    )
    await migrate_store(settings)
    async with AsyncExitStack() as stack:
        clients = []
        for n in range(REPLICAS):
            app = create_app(settings, await connect(settings))
            await stack.enter_async_context(app.router.lifespan_context(app))
            clients.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app), base_url=f"http://api-{n}", timeout=30
                    )
                )
            )
        yield settings, clients


async def test_of_one_birth_told_at_once_to_two_replicas_exactly_one_starts(replicas):
    settings, clients = replicas
    headers = {"Authorization": f"Bearer {mint_token(settings, 'parent-in-a-hurry')}"}
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    body = {"event_type": "birth", "data": birth_request_data(today)}
    answers = await asyncio.gather(
        *(
            client.post("/v1/life-events", json=body, headers=headers)
            for _ in range(REQUESTS_EACH)
            for client in clients
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * (REPLICAS * REQUESTS_EACH - 1), [a.text for a in answers]
    [started] = [answer.json()["id"] for answer in answers if answer.status_code == 201]
    assert {a.json()["existing_event_id"] for a in answers if a.status_code == 409} == {started}

    temporal = await connect(settings)
    await temporal.get_workflow_handle(started).terminate(reason="ended by an operator")
    again = await clients[1].post("/v1/life-events", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.json()["id"] != started
