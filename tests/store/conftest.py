"""The store under test, once per implementation: the embedded SQLite file and PostgreSQL
(a throw-away database on the session's real server)."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from pathlib import Path

import httpx
import pytest

from onceonly.api.app import create_app
from onceonly.settings import Settings
from onceonly.store import Store, migrate_store, opened_store
from onceonly.temporal import connect
from tests.conftest import TEST_PAYLOAD_KEYS
from tests.fuzz.temporal_server import temporal_dev_server

OpenStore = Callable[[], AbstractAsyncContextManager[Store]]


@pytest.fixture(params=["sqlite", "postgres"])
def store_settings(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Settings:
    """Settings naming a fresh, migrated-on-demand store of each kind."""
    if request.param == "sqlite":
        return settings.model_copy(update={"store_path": tmp_path / "store.db"})
    url = request.getfixturevalue("fresh_database")
    return settings.model_copy(update={"database_url": url})


@pytest.fixture
async def store(store_settings: Settings) -> AsyncIterator[Store]:
    """An open store with its schema current (as after `onceonly setup`)."""
    await migrate_store(store_settings)
    async with opened_store(store_settings) as opened:
        yield opened


@pytest.fixture
async def other_store(store_settings: Settings, store: Store) -> AsyncIterator[Store]:
    """The same store opened a second time: what another API replica or worker holds."""
    async with opened_store(store_settings) as opened:
        yield opened


# Two API replicas over one PostgreSQL store, on a real Temporal dev server: what the
# tests of races between replicas share.
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
        for n in range(2):
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
