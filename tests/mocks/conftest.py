"""Fixtures the mock agencies' tests share: the app on a fresh store, configured by the
`environ` a module may override (its knobs, keys, callback target), an admin client of it, the
built-in adapters over it, and a stand-in for onceonly's callback route with the environment
that makes IRD and BDM slow; and the parametrization of each agency's gate tests.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from adapters.base import AgencyAdapter
from adapters.registry import build_adapters
from mocks.app import create_app
from onceonly.settings import AGENCIES
from tests.mocks.gates import AgencyGates
from tests.mocks.services import key_of
from tests.mocks.support import BASE_URL, SECRET, Receiver, serving


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The mocks' store, fresh for each test."""
    return tmp_path / "agencies.db"


@pytest.fixture
def environ() -> dict[str, str]:
    """The mocks' environment: none (development keys, no faults, no receipts checked)."""
    return {}


@pytest.fixture
def app(db_path: Path, environ: dict[str, str]) -> FastAPI:
    """The mock agencies, holding their records in `db_path`."""
    return create_app(db_path, environ=environ)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An admin client of the app, with the app's lifespan running (see `serving`)."""
    async with serving(app) as client:
        yield client


@pytest.fixture
def adapters(client: httpx.AsyncClient) -> dict[str, AgencyAdapter]:
    """Every built-in adapter, talking to the app with the agencies' development keys."""
    return build_adapters(client, BASE_URL, {agency: key_of(agency) for agency in AGENCIES})


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    """onceonly's callback route, standing in on a loopback port, and its URL."""
    found = Receiver()
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield found, f"http://127.0.0.1:{port}"


@pytest.fixture
def slow_environ(receiver: tuple[Receiver, str]) -> dict[str, str]:
    """IRD issuing a newborn's number and BDM reviewing a death a fraction of a second after
    they answer, IRD calling `receiver` back, signed with `SECRET`."""
    return {
        "MOCK_IRD_ISSUE_DELAY_SECONDS": "0.3",
        "MOCK_BDM_DEATH_REVIEW_SECONDS": "0.3",
        "MOCK_CALLBACK_URL": receiver[1],
        "MOCK_CALLBACK_SECRETS": json.dumps({"ird": SECRET}),
    }


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """An agency's `AgencyGates` subclass runs the shared gate tests over its own services
    (`name`) and format rules (`wrong_format`)."""
    cls = metafunc.cls
    if cls is None or not issubclass(cls, AgencyGates):
        return
    if "name" in metafunc.fixturenames:
        metafunc.parametrize("name", list(cls.services))
    if "wrong_format" in metafunc.fixturenames:
        rows = cls.wrong_formats
        metafunc.parametrize("wrong_format", rows, ids=["-".join(map(str, row)) for row in rows])
