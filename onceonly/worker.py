"""Worker wiring: the life-event workflows and their activities on the main task queue, and
each agency's calls on the agency's own queue."""

import asyncio
import signal
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

import httpx
import structlog
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.batch_exchange import BatchExchangeActivities
from activities.corrections import AgencyAmendments
from activities.notifications import build_notifications
from activities.prefill import build_register_lookups
from activities.previews import AgencyPreviews
from activities.receipts import ReceiptSigner
from activities.status import AgencyStatusChecks
from activities.submissions import AgencySubmissions
from adapters.base import AgencyAdapter, AgencyPolicy, StatusAdapter
from adapters.registry import build_adapters
from onceonly.batch_schedules import ensure_schedules, exchange_for
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.step_graph import CatalogueError
from onceonly.domain.submission import agency_task_queue, agency_waits_queue
from onceonly.inbox_reminders import overdue_reminders
from onceonly.life_events import check_life_events
from onceonly.settings import Settings
from onceonly.store import Store, opened_store
from onceonly.temporal import WORKFLOWS, connect, sdk_runtime
from workflows.batch_exchange import BatchExchangeWorkflow
from workflows.sandbox import workflow_runner

log = structlog.get_logger(__name__)
# Long enough for an agency call in flight to finish; short enough for a quick Ctrl-C.
GRACEFUL_SHUTDOWN = timedelta(seconds=10)
MAX_WAITS = 1_000
"""Slow agencies' outcomes one worker process waits for at once."""
UNSANDBOXED = UnsandboxedWorkflowRunner()
"""The workflows run without the sandbox their tests and replays run them in (see
`Settings.workflow_sandbox`)."""


def build_workers(
    client: Client, settings: Settings, http: httpx.AsyncClient, store: Store
) -> list[Worker]:
    """The workers of one process: the life-event workflows with every activity on the main
    task queue, and one worker per agency on the agency's own queue (see `agency_workers`),
    which every agency's calls go to unless its rate limit is lifted. Disclosures go to the
    shared `store`."""
    due = settings.inbox_due_seconds
    adapters = build_adapters(
        http,
        settings.agency_base_url,
        settings.agency_api_keys,
        batch_queue=store.batch,
        inbox=store.inbox,
        work_queue_agencies=settings.work_queue_agencies,
        inbox_due=None if due is None else timedelta(seconds=due),
    )
    check_life_events(adapters)
    check_capabilities(adapters)
    submissions = AgencySubmissions(adapters, store.disclosures, store.usage)
    amendments = AgencyAmendments(adapters, store.disclosures, store.usage)
    statuses = AgencyStatusChecks(adapters, store.usage)
    signer = ReceiptSigner(settings, usage_ledger=store.usage)
    previews = AgencyPreviews(adapters)
    registers = build_register_lookups(http, settings.agency_base_url, settings.agency_api_keys)
    notifications = build_notifications(http, settings.agency_base_url, settings.agency_api_keys)
    batches = BatchExchangeActivities(exchange_for(settings, store, adapters))
    agency_activities: list[Callable[..., Any]] = [
        submissions.submit_to_agency,
        submissions.withdraw_from_agency,
        statuses.check_agency_status,
        statuses.await_agency_outcome,
        amendments.amend_at_agency,
    ]
    main = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[*WORKFLOWS, BatchExchangeWorkflow],
        # The agency activities too: agencies whose rate limit is lifted have their calls
        # here, as do events started before agencies had queues.
        activities=[
            *agency_activities,
            amendments.find_correction_recipients,
            previews.preview_disclosure,
            previews.preview_disclosures,
            registers.look_up_register,
            signer.sign_receipt,
            signer.sign_receipts,
            notifications.send_reminder,
            batches.export_batch,
            batches.import_batch,
        ],
        workflow_runner=workflow_runner() if settings.workflow_sandbox else UNSANDBOXED,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )
    waits = Worker(
        client,
        task_queue=agency_waits_queue(settings.task_queue),
        activities=[statuses.await_agency_outcome],
        # A wait mostly sleeps between an agency's answers: many fit in one worker.
        max_concurrent_activities=MAX_WAITS,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )
    return [
        main,
        waits,
        *agency_workers(
            client, settings.task_queue, adapters, agency_activities, settings.agency_rate_limits
        ),
    ]


def check_capabilities(adapters: Mapping[str, AgencyAdapter]) -> None:
    """Fail start-up clearly when a step needs what its agency's adapter cannot do: proof of
    effect asks the agency's status (a work-queue agency's adapter reads it from the task)."""
    unable = [
        f"{event.event_type}.{step.id} ({step.agency})"
        for event in CATALOGUE.life_events
        for step in event.steps
        if step.confirm_effect_after_days and not isinstance(adapters[step.agency], StatusAdapter)
    ]
    if unable:
        raise CatalogueError(
            f"proof of effect needs a status endpoint, and these agencies' adapters have none: "
            f"{', '.join(unable)}"
        )


def agency_workers(
    client: Client,
    task_queue: str,
    adapters: Mapping[str, AgencyAdapter],
    activities: Sequence[Callable[..., Any]],
    rate_limits: Mapping[str, float] | None = None,
) -> list[Worker]:
    """One worker per agency, on the agency's own task queue, with the agency's limits: an
    agency that is down or slow fills only its own slots, and its rate limit (enforced by the
    Temporal server across every worker) protects it however many workers there are.
    `rate_limits` (per agency; 0 lifts it) replaces an adapter's own limit."""
    return [
        Worker(
            client,
            task_queue=agency_task_queue(task_queue, agency),
            activities=activities,
            max_concurrent_activities=adapter.policy.max_concurrent_calls,
            max_task_queue_activities_per_second=rate_limit(adapter.policy, agency, rate_limits),
            graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        )
        for agency, adapter in adapters.items()
    ]


def rate_limit(
    policy: AgencyPolicy, agency: str, overrides: Mapping[str, float] | None
) -> float | None:
    """The agency's calls per second across every worker: as configured for the deployment,
    else as its adapter declares; None for no limit."""
    limit = (overrides or {}).get(agency, policy.rate_limit_per_second)
    return limit or None


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
    async with (
        opened_store(settings) as store,
        httpx.AsyncClient(timeout=timeout) as http,
        AsyncExitStack() as workers,
    ):
        for worker in build_workers(client, settings, http, store):
            await workers.enter_async_context(worker)
        # Every worker makes sure: the first creates them, the others find them made.
        schedules = await ensure_schedules(client, settings)
        # Every worker looks for overdue inbox tasks; the store's claims make each reminder one.
        reminders = asyncio.create_task(overdue_reminders(settings, http, store.inbox).run(stop))
        log.info(
            "worker.started",
            task_queue=settings.task_queue,
            metrics=settings.worker_metrics_address,
            store=store.where,
            batch_schedules=schedules,
        )
        await stop.wait()
        await reminders
    log.info("worker.stopped")
