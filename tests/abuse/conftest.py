"""The citizen API in process (ASGI) on a real Temporal dev server, with one event of the
caller's and one of another citizen's already started: what the abuse corpus runs against.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
from temporalio.client import Client

from onceonly.api.app import create_app
from onceonly.auth import mint_token
from onceonly.samples import birth_request_data
from onceonly.settings import Settings
from onceonly.temporal import connect
from tests.conftest import TEST_PAYLOAD_KEYS
from tests.fuzz.temporal_server import temporal_dev_server

CALLER = "abuse-caller"
OTHER_CITIZEN = "abuse-other-citizen"
VISIBLE_SECONDS = 10  # the dev server lists a new workflow within a second or so


@dataclass
class Probe:
    """The API under attack, the Temporal behind it, and the events there before."""

    http: httpx.AsyncClient
    settings: Settings
    temporal: Client
    own_event: str
    other_event: str
    accepted: dict[str, str] = field(default_factory=dict)
    """Events that cases started by mistake, by case id (pending cases only, one hopes)."""

    @property
    def today(self) -> date:
        """Today where the API decides it."""
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    async def workflows(self) -> dict[str, int]:
        """Every workflow on the server, with the length of its history."""
        lengths = {}
        async for execution in self.temporal.list_workflows():
            description = await self.temporal.get_workflow_handle(execution.id).describe()
            lengths[execution.id] = (
                description.raw_description.workflow_execution_info.history_length
            )
        return lengths


@pytest.fixture(scope="module")
def temporal_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dev server for the module."""
    with temporal_dev_server(tmp_path_factory.mktemp("temporal")) as address:
        yield address


async def _start_birth(http: httpx.AsyncClient, settings: Settings, citizen: str) -> str:
    token = mint_token(settings, citizen)
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    started = await http.post(
        "/v1/life-events",
        json={"event_type": "birth", "data": birth_request_data(today)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert started.status_code == 201, started.text
    return str(started.json()["id"])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def probe(temporal_address: str) -> AsyncIterator[Probe]:
    """The API (no rate limit: the corpus is one caller's flood) with the two events listed."""
    settings = Settings(
        TEMPORAL_ADDRESS=temporal_address,
        payload_keys=TEST_PAYLOAD_KEYS,
        jwt_secret="abuse-jwt-secret-0123456789-0123456789-0",
        citizen_key_secret="abuse-citizen-key-secret",
        rate_limit_per_minute=0,
    )
    temporal = await connect(settings)
    app = create_app(settings, temporal)
    transport = httpx.ASGITransport(app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api.test", timeout=30) as http,
    ):
        probe = Probe(
            http=http,
            settings=settings,
            temporal=temporal,
            own_event=await _start_birth(http, settings, CALLER),
            other_event=await _start_birth(http, settings, OTHER_CITIZEN),
        )
        deadline = time.monotonic() + VISIBLE_SECONDS
        while set(await probe.workflows()) != {probe.own_event, probe.other_event}:
            assert time.monotonic() < deadline, "the two events were never listed"
            await asyncio.sleep(0.1)
        yield probe
