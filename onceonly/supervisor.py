"""`onceonly up`: start and supervise the whole local stack as child processes.

Order: the Temporal dev server (unless TEMPORAL_ADDRESS points elsewhere), the mock agencies,
the codec server, the worker, the API; each must be ready before the next starts, and one that
fails to start fails `up`. Ctrl-C stops them in reverse order. A child that dies after that is
reported and started again after a pause (onceonly/children.py) while the rest keep running:
each keeps its state outside its process, so a restart loses nothing.
"""

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Mapping
from ipaddress import ip_address

import httpx
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from onceonly.auth import mint_token
from onceonly.binaries import temporal_cli
from onceonly.children import Child, ChildFailed, keep_running, start, stop_child
from onceonly.domain import search_attributes
from onceonly.production import development_settings
from onceonly.receipts import public_jwks
from onceonly.settings import AGENCIES, Settings
from onceonly.store import migrate_store
from onceonly.temporal import connect

# The line `onceonly worker` logs once its pollers run: the server lists a killed worker's
# pollers for a while, so the probe alone cannot tell that a restarted worker is up.
WORKER_STARTED = '"worker.started"'


def runs_local_temporal(settings: Settings) -> bool:
    """Start a dev server only when Temporal is expected on this machine."""
    host = settings.temporal_address.rsplit(":", 1)[0]
    with contextlib.suppress(ValueError):
        return ip_address(host).is_loopback
    return host == "localhost"


DEV_SERVER_DYNAMIC_CONFIG: dict[str, object] = {
    # The dev server re-reads the search attributes' definitions on every request that uses
    # them (so that ones added at run time show at once). Ours are all added at its start
    # (--search-attribute), and every event upserts them: the default cache serves.
    "system.forceSearchAttributesCacheRefreshOnRead": False,
    # One process serves every task queue: partitions would only forward tasks among
    # themselves.
    "matching.numTaskqueueReadPartitions": 1,
    "matching.numTaskqueueWritePartitions": 1,
}


def _dynamic_config(values: Mapping[str, object]) -> list[str]:
    return [
        argument
        for key, value in values.items()
        for argument in ("--dynamic-config-value", f"{key}={json.dumps(value)}")
    ]


def dev_server_argv(settings: Settings) -> list[str]:
    """`temporal server start-dev` with durable state, WAL SQLite and our search attributes."""
    host, port = settings.temporal_address.rsplit(":", 1)
    argv = [
        str(temporal_cli()),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.state_dir / "temporal.db"),
        "--ip",
        host,
        "--port",
        port,
        "--ui-port",
        str(settings.temporal_ui_port),
        # Errors only: at "warn" its own shutdown prints a screenful of harmless poll errors.
        "--log-level",
        "error",
        # WAL with normal sync: about 2.7x the throughput of SQLite's defaults on this kind of
        # machine, and still durable across a crash of the server process.
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--ui-disable-news-fetch",
        *_dynamic_config(DEV_SERVER_DYNAMIC_CONFIG),
        # The Web UI decodes payloads through our codec server (see docs/operators.md).
        "--ui-codec-endpoint",
        settings.codec_url,
        *search_attributes.dev_server_flags(),
    ]
    if settings.temporal_namespace != "default":
        argv += ["--namespace", settings.temporal_namespace]
    return argv


async def http_ok(url: str) -> bool:
    """True when `url` answers 200: a child's readiness probe."""
    try:
        async with httpx.AsyncClient(timeout=2.0) as http:
            return (await http.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def _temporal_ready(settings: Settings) -> bool:
    client = await connect(settings)
    return await client.service_client.check_health()


async def worker_polling(settings: Settings) -> bool:
    """True when a worker polls `settings`' workflow task queue: a worker's readiness probe."""
    client: Client = await connect(settings)
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace,
            task_queue=TaskQueue(name=settings.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return len(response.pollers) > 0


LOCAL_DEFAULTS = {
    "ONCEONLY_WORK_QUEUE_AGENCIES": "council",
    "ONCEONLY_AGENCY_INBOX_CONTACTS": "council:inbox@council.example.govt.nz,"
    "maori_land_court:inbox@maorilandcourt.example.govt.nz",
}
"""What `onceonly up` sets unless the environment names its own: the council as an agency
without an API (its staff work through the inbox), and where agencies' reminders go."""
SLOW_AGENCY_DEFAULTS = {"MOCK_IRD_ISSUE_DELAY_SECONDS": "2", "MOCK_BDM_DEATH_REVIEW_SECONDS": "2"}
"""How late the local mocks decide, in seconds, unless the environment names its own."""
LOCAL_BATCH_PERIOD_SECONDS = "5"
"""The local stack's batch period (a day in production): a batch-file agency's step ends
seconds after it is sent, as the local slow agencies decide in seconds, unless the
environment names its own `ONCEONLY_BATCH_PERIOD_SECONDS`."""


def plan(settings: Settings) -> list[Child]:
    """The children of `onceonly up`, in start order."""
    python = sys.executable
    mocks_env = {
        f"MOCK_{agency.upper()}_API_KEY": settings.agency_api_keys[agency] for agency in AGENCIES
    }
    # The mocks verify each submission's consent receipt against the service's public keys.
    mocks_env["MOCK_RECEIPT_JWKS"] = json.dumps(public_jwks(settings))
    # Slow agencies call back to the API, signing with the secret each shares with it.
    mocks_env["MOCK_CALLBACK_URL"] = settings.api_url
    mocks_env["MOCK_CALLBACK_SECRETS"] = json.dumps(settings.agency_callback_secrets)
    # The key onceonly's tools send to read the mocks' records and turn their fault knobs.
    mocks_env["MOCK_ADMIN_KEY"] = settings.mocks_admin_key
    # The local stack shows slow agencies as they are (unless told otherwise): IRD issues a
    # newborn's number a little later and calls back; BDM reviews a death before registering.
    for knob, seconds in SLOW_AGENCY_DEFAULTS.items():
        mocks_env[knob] = os.environ.get(knob, seconds)
    # The batch-file agencies watch the exchange's directory for our files.
    mocks_env["MOCK_BATCH_DIR"] = str(settings.batch_directory)
    period = os.environ.get("ONCEONLY_BATCH_PERIOD_SECONDS", LOCAL_BATCH_PERIOD_SECONDS)
    children = []
    if runs_local_temporal(settings):
        children.append(
            Child("temporal", dev_server_argv(settings), lambda: _temporal_ready(settings))
        )
    if settings.agencies_url is None:
        children.append(
            Child(
                "agencies",
                [
                    python,
                    "-m",
                    "mocks",
                    "--host",
                    settings.host,
                    "--port",
                    str(settings.mocks_port),
                    "--db",
                    str(settings.state_dir / "agencies.db"),
                ],
                lambda: http_ok(f"http://{settings.host}:{settings.mocks_port}/healthz"),
                env=mocks_env,
            )
        )
    children.append(
        Child(
            "codec",
            [python, "-m", "onceonly", "codec-server"],
            lambda: http_ok(f"{settings.codec_url}/healthz"),
        )
    )
    children.append(
        Child(
            "worker",
            [python, "-m", "onceonly", "worker"],
            lambda: worker_polling(settings),
            started_line=WORKER_STARTED,
            env={"ONCEONLY_BATCH_PERIOD_SECONDS": period},
        )
    )
    children.append(
        Child(
            "api",
            [python, "-m", "onceonly", "api"],
            lambda: http_ok(f"{settings.api_url}/healthz"),
        )
    )
    return children


def _banner(settings: Settings) -> str:
    token = mint_token(settings, "demo-citizen")
    lines = [
        "",
        "onceonly is up.",
        f"  citizen portal   {settings.api_url}/  (a browser: the whole citizen journey)",
        f"  citizen API      {settings.api_url}  (OpenAPI: {settings.api_url}/docs)",
        f"  staff inbox      {settings.api_url}/inbox  (agencies without an API: "
        f"{', '.join(sorted(settings.work_queue_agencies)) or 'none'}, the Māori Land Court)",
        f"  agencies         {settings.agency_base_url}",
        f"  Temporal         {settings.temporal_address} (namespace {settings.temporal_namespace})",
    ]
    if runs_local_temporal(settings):
        host = settings.temporal_address.rsplit(":", 1)[0]
        lines.append(f"  Temporal Web UI  http://{host}:{settings.temporal_ui_port}")
    lines.append(f"  codec server     {settings.codec_url}  (operators: sign in at this URL)")
    if settings.worker_metrics_address:
        lines.append(f"  worker metrics   http://{settings.worker_metrics_address}/metrics")
    lines += [
        "",
        "A citizen token (subject demo-citizen) for trying the API:",
        f"  export ONCEONLY_TOKEN={token}",
        f'  curl -H "Authorization: Bearer $ONCEONLY_TOKEN" {settings.api_url}/v1/life-events',
        "Or play a whole birth:  .venv/bin/onceonly demo birth",
        "Ctrl-C stops everything.",
        "",
    ]
    development = development_settings(settings)
    if development:
        lines.insert(
            1,
            f"WARNING: development mode, with development values for {', '.join(development)};"
            " production (ONCEONLY_ENVIRONMENT=production) refuses them.",
        )
    return "\n".join(lines)


async def up(settings: Settings) -> int:
    """Run the stack until Ctrl-C (exit 0), starting again any child that dies; exit 1 when a
    child fails to start."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    where, applied = await migrate_store(settings)
    print(f"store ({where}): " + (f"migrations {applied} applied" if applied else "up to date"))
    children = plan(settings)
    relays: list[asyncio.Task[None]] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    code = 0
    keepers: list[asyncio.Task[None]] = []
    try:
        for child in children:
            print(f"starting {child.name} ...", flush=True)
            await start(child, relays, stop)
        print(_banner(settings), flush=True)
        keepers = [asyncio.create_task(keep_running(child, relays, stop)) for child in children]
        await stop.wait()
    except ChildFailed as failure:
        print(f"onceonly up failed: {failure}", flush=True)
        code = 1
    finally:
        for keeper in keepers:
            keeper.cancel()
        await asyncio.gather(*keepers, return_exceptions=True)
        print("stopping ...", flush=True)
        for child in reversed(children):
            await stop_child(child)
        for relay in relays:
            relay.cancel()
    print("stopped.", flush=True)
    return code
