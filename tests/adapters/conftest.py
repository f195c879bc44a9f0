"""Fixtures the adapter tests share: the mock agencies in process on a fresh store, a client
that reaches them (and their admin routes), and the adapters built on it."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.addresses import AddressRegister
from adapters.registry import build_adapters
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from tests.adapters.support import BASE_URL, KEYS


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The mock agencies' store, this test's own."""
    return tmp_path / "agencies.db"


@pytest.fixture
def app(db_path: Path) -> FastAPI:
    """Every mock agency, in process."""
    return create_app(db_path, environ={})


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the mocks at `BASE_URL`, carrying the admin key their `_records` need."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        yield client


@pytest.fixture
def adapters(client: httpx.AsyncClient) -> dict[str, Any]:
    """Every installed adapter, by agency, calling the mocks with their development keys."""
    return build_adapters(client, BASE_URL, KEYS)


@pytest.fixture
def register(client: httpx.AsyncClient) -> AddressRegister:
    """The address register's adapter, calling its mock."""
    return AddressRegister(client, BASE_URL, KEYS["addresses"])
