"""The store under test, once per implementation: the embedded SQLite file and PostgreSQL
(a throw-away database on the session's real server)."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from onceonly.settings import Settings
from onceonly.store import Store, migrate_store, opened_store

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
