"""Worker wiring: the life-event workflows and the agency activities on one task queue."""

import asyncio
import signal
from datetime import timedelta

import httpx
import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from activities.notifications import build_notifications
from activities.prefill import build_register_lookups
from activities.previews import AgencyPreviews
from activities.receipts import ReceiptSigner
from activities.submissions import AgencySubmissions
from adapters.registry import build_adapters
from onceonly.disclosures import open_disclosure_log
from onceonly.life_events import check_life_events
from onceonly.settings import Settings
from onceonly.temporal import WORKFLOWS, connect, sdk_runtime
from workflows.sandbox import workflow_runner

log = structlog.get_logger(__name__)
# Long enough for an agency call in flight to finish; short enough for a quick Ctrl-C.
GRACEFUL_SHUTDOWN = timedelta(seconds=10)


def build_worker(client: Client, settings: Settings, http: httpx.AsyncClient) -> Worker:
    """A worker running every life-event workflow, the agency submissions and the prefill
    look-ups."""
    adapters = build_adapters(http, settings.agency_base_url, settings.agency_api_keys)
    check_life_events(adapters)
    submissions = AgencySubmissions(adapters, open_disclosure_log(settings))
    registers = build_register_lookups(http, settings.agency_base_url, settings.agency_api_keys)
    notifications = build_notifications(http, settings.agency_base_url, settings.agency_api_keys)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            submissions.submit_to_agency,
            submissions.withdraw_from_agency,
            AgencyPreviews(adapters).preview_disclosure,
            registers.look_up_register,
            ReceiptSigner(settings).sign_receipt,
            notifications.send_reminder,
        ],
        workflow_runner=workflow_runner(),
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )


async def run_worker(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM, then shut down gracefully.

    The SDK's runtime serves the worker's Prometheus metrics (Temporal's own and the agency
    submissions) at `settings.worker_metrics_address`, unless that is disabled.
    """
    client = await connect(settings, runtime=sdk_runtime(settings.worker_metrics_address))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    timeout = httpx.Timeout(settings.agency_timeout_seconds)
    async with httpx.AsyncClient(timeout=timeout) as http:
        worker = build_worker(client, settings, http)
        async with worker:
            log.info(
                "worker.started",
                task_queue=settings.task_queue,
                metrics=settings.worker_metrics_address,
            )
            await stop.wait()
    log.info("worker.stopped")
