"""One inbox task closed at the same instant through two API replicas sharing one PostgreSQL
store (as a cluster runs them), on a real Temporal dev server: one answers 200 with the closed
task, the other 409, and both then read the same outcome."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from onceonly.api.app import create_app
from onceonly.auth import mint_token
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.inbox import InboxTask, inbox_task_id
from onceonly.settings import Settings
from onceonly.store import migrate_store, opened_store
from onceonly.temporal import connect
from tests.conftest import TEST_PAYLOAD_KEYS
from tests.fuzz.temporal_server import temporal_dev_server

ROUNDS = 4  # one race proves little
RATES = CATALOGUE.event("move").step("council_rates")


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
    async with AsyncExitStack() as apis:
        clients = []
        for n in range(2):
            app = create_app(settings, await connect(settings))
            await apis.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app)
            client = httpx.AsyncClient(transport=transport, base_url=f"http://api-{n}", timeout=30)
            clients.append(await apis.enter_async_context(client))
        yield settings, clients


def task() -> InboxTask:
    """An open task of the council's rates step, of an event of its own (not in Temporal:
    waking it fails, and the close stands all the same)."""
    event_id = f"move-{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    return InboxTask(
        task_id=inbox_task_id(event_id, RATES.id, "submission"),
        kind="submission",
        agency=RATES.agency,
        service=RATES.service,
        event_id=event_id,
        event_type="move",
        step_id=RATES.id,
        citizen_key="c" * 32,
        disclosure={"move_date": "2026-12-01"},
        legal_basis_kind=RATES.legal_basis.kind,
        legal_basis_reference=RATES.legal_basis.reference,
        opened_at=now,
        due_at=now + timedelta(days=5),
    )


async def test_of_two_apis_closing_one_task_at_once_one_answers_200_and_the_other_409(replicas):
    settings, (first, second) = replicas
    token = mint_token(settings, "jane", "agency", agency="council")
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(ROUNDS):
        ours = task()
        async with opened_store(settings) as store:
            await store.inbox.open(ours)
        path = f"/v1/agency/tasks/{ours.task_id}"
        answers = await asyncio.gather(
            first.post(f"{path}/complete", json={"reference": "R-1"}, headers=headers),
            second.post(f"{path}/reject", json={"reason": "Not ours"}, headers=headers),
        )
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        [won] = [a.json() for a in answers if a.status_code == 200]
        [lost] = [a.json() for a in answers if a.status_code == 409]
        assert lost["detail"] == "task_id: this task is closed already"
        assert won["woken"] is False  # no such event in Temporal: the close stands
        seen = await second.get(path, headers=headers)
        assert (seen.json()["state"], seen.json()["closed_by"]) == (won["state"], "jane")
