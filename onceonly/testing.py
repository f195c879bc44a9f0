"""The onceonly test kit: a pytest plugin (entry point `pytest11`) for testing life events.

Installed with the package, so any test in this venv may ask for these fixtures:

- `onceonly_converter`: the project's data converter, under a test payload key;
- `time_skipping_env`: the time-skipping test server, search attributes registered;
- `dev_server_env`: a real Temporal dev server on a free port, search attributes registered;
- `mock_agencies`: the mock agencies on a free loopback port, answering at the yielded URL;
- `citizen_client`: a factory of API clients that carry a citizen's bearer token;
- `contract_mocks`: the mock agencies (installed plugins' too) checking consent receipts,
  for the adapter contract kit (onceonly/adapter_contract.py);

and call `workflow_worker(env, activities=[...])` for a worker on the project's sandbox.
"""

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import uvicorn
from temporalio import activity
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.receipts import ReceiptSigner
from onceonly.auth import mint_token
from onceonly.binaries import temporal_cli, temporal_test_server
from onceonly.codec import data_converter
from onceonly.domain import search_attributes
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.notices import SEND_REMINDER, Reminder
from onceonly.domain.preview import (
    PREVIEW_DISCLOSURE,
    PREVIEW_DISCLOSURES,
    Preview,
    PreviewRequest,
)
from onceonly.domain.submission import agency_task_queue, agency_waits_queue
from onceonly.local_stack import free_port
from onceonly.settings import Settings
from onceonly.temporal import WORKFLOWS, register_search_attributes
from workflows.sandbox import workflow_runner

# A fixed 32-byte key, for tests only: histories written under it hold synthetic data only.
TEST_PAYLOAD_KEYS = "test1:dGVzdC1vbmx5LXBheWxvYWQta2V5LTMyLWJ5dGVzISE="
TEST_TASK_QUEUE = "onceonly-test"
# Both test servers start with this one namespace.
TEST_NAMESPACE = "default"
# Long enough for an activity in flight to finish when a test's worker stops.
WORKER_SHUTDOWN = timedelta(seconds=5)
# A cold uvicorn starts in well under a second; this only bounds a broken start.
SERVER_START_SECONDS = 10

if TYPE_CHECKING:
    from onceonly.contract_agencies import ServedMocks

CitizenClient = Callable[..., httpx.Client]


class ConsentServices:
    """The consent activities a life-event test needs besides the agencies': real receipts
    (signed with the development key, verifiable), previews that show nothing (agencies'
    formats are the mapping tests' business), and reminders recorded instead of sent."""

    def __init__(self) -> None:
        self.signer = ReceiptSigner(Settings(payload_keys=TEST_PAYLOAD_KEYS))
        self.reminders: list[Reminder] = []

    @activity.defn(name=PREVIEW_DISCLOSURE)
    async def preview(self, request: PreviewRequest) -> Preview:
        """No preview: the test is about the workflow, not an agency's format."""
        return Preview(step_id=request.step_id, body=None, problem="not previewed in tests")

    @activity.defn(name=PREVIEW_DISCLOSURES)
    async def previews(self, requests: list[PreviewRequest]) -> list[Preview]:
        """No previews, for every step at once."""
        return [await self.preview(request) for request in requests]

    @activity.defn(name=SEND_REMINDER)
    async def remind(self, reminder: Reminder) -> str:
        """Record the reminder; answer with a message id."""
        self.reminders.append(reminder)
        return f"message-{len(self.reminders)}"

    def activities(self) -> list[Callable[..., Any]]:
        """The consent activities, for a worker's `activities`."""
        return [
            self.signer.sign_receipt,
            self.signer.sign_receipts,
            self.preview,
            self.previews,
            self.remind,
        ]


class LifeEventWorkers:
    """A test's workers, as the worker process runs them: the main one (workflows and every
    activity) and one per agency on the agency's own task queue. Use with `async with`."""

    def __init__(self, main: Worker, agencies: Sequence[Worker]) -> None:
        self.main = main
        self._all = [main, *agencies]
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> "LifeEventWorkers":
        for worker in self._all:
            await self._stack.enter_async_context(worker)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()


def workflow_worker(
    env: WorkflowEnvironment | Client,
    *,
    workflows: Sequence[type] = WORKFLOWS,
    activities: Sequence[Callable[..., Any]] = (),
    task_queue: str = TEST_TASK_QUEUE,
    consent: ConsentServices | None = None,
    **options: Any,
) -> LifeEventWorkers:
    """Workers for `env` (or a client) on the project's sandbox runner: every life-event
    workflow unless given `workflows`, the given (usually fake) activities, and the consent
    services (`consent`, or fresh ones) for any activity name not given; `options` go to the
    main `Worker` as they are. The given activities also serve each catalogue agency's own
    task queue, and the queue of waits for slow agencies' outcomes (None below). Use it as
    `async with workflow_worker(env, activities=[...]):`.
    """
    client = env.client if isinstance(env, WorkflowEnvironment) else env
    given = {_activity_name(fn) for fn in activities}
    defaults = [
        fn for fn in (consent or ConsentServices()).activities() if _activity_name(fn) not in given
    ]
    main = Worker(
        client,
        task_queue=task_queue,
        workflows=workflows,
        activities=[*activities, *defaults],
        workflow_runner=workflow_runner(),
        graceful_shutdown_timeout=WORKER_SHUTDOWN,
        **options,
    )
    agencies = sorted({step.agency for event in CATALOGUE.life_events for step in event.steps})
    agency_workers = [
        Worker(
            client,
            task_queue=(
                agency_waits_queue(task_queue)
                if agency is None
                else agency_task_queue(task_queue, agency)
            ),
            activities=activities,
            graceful_shutdown_timeout=WORKER_SHUTDOWN,
        )
        for agency in [*agencies, None]
        if activities
    ]
    return LifeEventWorkers(main, agency_workers)


def _activity_name(fn: Callable[..., Any]) -> str:
    definition = activity._Definition.from_callable(fn)
    return definition.name if definition and definition.name else getattr(fn, "__name__", "")


@pytest.fixture
def onceonly_converter() -> DataConverter:
    """The project's data converter (pydantic payloads, AES-GCM) under the test key."""
    return data_converter(TEST_PAYLOAD_KEYS)


@pytest.fixture
async def time_skipping_env(
    onceonly_converter: DataConverter,
) -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping test server for one test, with the project's converter and
    search attributes: timers (consent expiry, retry windows) pass at once while waiting on
    a result.
    """
    async with await WorkflowEnvironment.start_time_skipping(
        data_converter=onceonly_converter,
        test_server_existing_path=str(temporal_test_server()),
    ) as env:
        await register_search_attributes(env.client, TEST_NAMESPACE)
        yield env


@pytest.fixture
async def dev_server_env(onceonly_converter: DataConverter) -> AsyncIterator[WorkflowEnvironment]:
    """A real Temporal dev server (in memory, free port, no UI) for one test, with the
    project's converter and search attributes: for what the test server lacks, such as
    listing workflows by search attribute. Time is real here.
    """
    async with await WorkflowEnvironment.start_local(
        namespace=TEST_NAMESPACE,
        data_converter=onceonly_converter,
        dev_server_existing_path=str(temporal_cli()),
        port=free_port(),
        search_attributes=search_attributes.ALL,
        dev_server_log_level="error",
    ) as env:
        yield env


@pytest.fixture
def mock_agencies(tmp_path: Path) -> Iterator[str]:
    """The mock agencies (BDM, IRD, MSD, Health) on a free loopback port, in a thread of this
    process, with their development API keys and records in a temporary database; yields
    the base URL (`{url}/ird/...`), the value of `ONCEONLY_AGENCIES_URL` to reach them.
    """
    # Imported here: the mocks are a test tool, not something every test run needs.
    from mocks.app import create_app  # noqa: PLC0415

    port = free_port()
    app = create_app(tmp_path / "agencies.db", environ={})
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "mock agencies did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=SERVER_START_SECONDS)


@pytest.fixture
def contract_mocks(tmp_path: Path) -> Iterator["ServedMocks"]:
    """The mock agencies for `onceonly.adapter_contract.verify_against_mock`: every mock
    agency installed, on a free loopback port, checking receipts signed with the
    development key (as the kit signs them)."""
    from onceonly.contract_agencies import serve_mocks  # noqa: PLC0415 - a test tool

    with serve_mocks(tmp_path / "contract-agencies.db") as mocks:
        yield mocks


@pytest.fixture
def citizen_client() -> Iterator[CitizenClient]:
    """A factory: `citizen_client(citizen_id, settings=..., api_url=...)` is an httpx client
    for the citizen API at `api_url` (the settings' own unless given), carrying a bearer
    token minted for that citizen with the settings' JWT secret. Every client it made is
    closed after the test.
    """
    clients: list[httpx.Client] = []

    def make(citizen_id: str, *, settings: Settings, api_url: str | None = None) -> httpx.Client:
        token = mint_token(settings, citizen_id)
        client = httpx.Client(
            base_url=api_url or settings.api_url, headers={"Authorization": f"Bearer {token}"}
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
