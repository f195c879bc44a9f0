"""Who runs the batch file exchange: one Temporal Schedule per batch-file agency, starting the
exchange workflow (workflows/batch_exchange.py) once per period on any worker; and the
operator's `onceonly ops batch`, which runs the same exchange now, from the command line.

Why a Schedule: it is durable and cluster-wide (one run per period whichever workers are up,
none lost while they are all down, within its catch-up window), with no lock or leader of
our own. The worker ensures the schedules when it starts (so `onceonly up` needs nothing
more), as `onceonly setup` does; creating one that exists updates it to the settings' period.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

import httpx
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from activities.batch_exchange import BatchExchange, batch_formats, waker
from adapters.base import AgencyAdapter
from adapters.plugins import AdapterPlugin, discover_plugins
from adapters.registry import build_adapters
from onceonly.domain.batch import BATCH_EXCHANGE_WORKFLOW, BatchRun, BatchRunReport
from onceonly.settings import Settings
from onceonly.store import Store, opened_store
from onceonly.temporal import connect

# A run missed while the cluster was down still runs when it is back within this long (at
# least a day, so a daily file is never skipped); later, the next period's file takes it up.
MIN_CATCH_UP = timedelta(days=1)


def batch_agencies() -> list[str]:
    """The installed agencies reached by batch file (plugins of kind `batch_file`)."""
    return sorted(
        agency
        for agency, found in discover_plugins().items()
        if isinstance(found.plugin, AdapterPlugin) and found.plugin.kind == "batch_file"
    )


def schedule_id(agency: str) -> str:
    """The agency's schedule (and the prefix of its runs' workflow ids)."""
    return f"batch-exchange-{agency}"


def exchange_schedule(settings: Settings, agency: str) -> Schedule:
    """The agency's schedule: a run every period, never two at once."""
    period = timedelta(seconds=settings.batch_period_seconds)
    return Schedule(
        action=ScheduleActionStartWorkflow(
            BATCH_EXCHANGE_WORKFLOW,
            BatchRun(agency=agency),
            id=schedule_id(agency),
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=period)]),
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=max(period, MIN_CATCH_UP)
        ),
    )


async def ensure_schedules(
    client: Client, settings: Settings, agencies: Iterable[str] | None = None
) -> list[str]:
    """Create (or bring up to date) the schedule of every batch-file agency; their ids."""
    ids = []
    for agency in batch_agencies() if agencies is None else agencies:
        schedule = exchange_schedule(settings, agency)
        try:
            await client.create_schedule(schedule_id(agency), schedule)
        except ScheduleAlreadyRunningError:

            def replaced(_: ScheduleUpdateInput, to: Schedule = schedule) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=to)

            await client.get_schedule_handle(schedule_id(agency)).update(replaced)
        ids.append(schedule_id(agency))
    return ids


def exchange_for(
    settings: Settings, store: Store, adapters: Mapping[str, AgencyAdapter]
) -> BatchExchange:
    """The exchange over the settings' directory and period, for the batch-file agencies
    among `adapters` (their formats are their adapters')."""
    return BatchExchange(
        batch_formats(adapters),
        store.batch,
        settings.batch_directory,
        timedelta(seconds=settings.batch_period_seconds),
    )


async def run_now(
    settings: Settings,
    agency: str,
    *,
    export: bool,
    acknowledge: bool,
    redeliver: str | None = None,
) -> list[BatchRunReport]:
    """What `onceonly ops batch` runs, in the operator's process (the store and the directory
    are shared, so it is the same exchange as the schedule's): the acknowledgements applied,
    then the ended period sent (either alone if asked), or one file sent again. ValueError
    naming `--agency` for an agency that takes no batch file."""
    async with opened_store(settings) as store, httpx.AsyncClient() as http:
        adapters = build_adapters(
            http, settings.agency_base_url, settings.agency_api_keys, batch_queue=store.batch
        )
        exchange = exchange_for(settings, store, adapters)
        if agency not in exchange.agencies:
            raise ValueError(f"--agency: {agency!r} is not a batch-file agency")
        if redeliver is not None:
            return [await exchange.redeliver(agency, redeliver)]
        done = []
        if acknowledge:
            done.append(await exchange.acknowledge(agency, waker(await connect(settings))))
        if export:
            done.append(await exchange.export(agency, datetime.now(UTC)))
        return done
