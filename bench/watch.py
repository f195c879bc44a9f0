"""What Temporal itself says about a run's workflows: which have closed and when, how many were
started, how long their histories are. Read from the server, not from the API, so watching a
thousand events costs the API and the worker nothing.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecution, WorkflowHistoryEventFilterType
from temporalio.service import RPCError

from onceonly.domain import search_attributes

POLL_SECONDS = 1.0


class WatchTimedOut(RuntimeError):
    """Workflows that had not closed by the deadline."""


@dataclass(frozen=True)
class Closed:
    """One closed workflow: when it closed and the status it indexed (ours) or None."""

    workflow_id: str
    close_time: float
    status: str | None


def since_clause(since: datetime) -> str:
    """A visibility filter on start time (RFC 3339, UTC)."""
    return f"StartTime >= '{since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}'"


async def count(client: Client, query: str, deadline: float) -> int:
    """Count workflows matching `query`, riding out a server restart until `deadline`."""
    while True:
        try:
            return (await client.count_workflows(query)).count
        except RPCError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(POLL_SECONDS)


async def listed(client: Client, query: str, deadline: float) -> list[WorkflowExecution]:
    """Every workflow matching `query`, riding out a server restart until `deadline`."""
    while True:
        try:
            return [execution async for execution in client.list_workflows(query)]
        except RPCError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(POLL_SECONDS)


async def wait_closed(
    client: Client,
    workflow_type: str,
    ids: Collection[str],
    since: datetime,
    within: float,
) -> dict[str, Closed]:
    """Wait until every workflow in `ids` has closed, for at most `within` seconds; each
    one's close, by id."""
    deadline = time.monotonic() + within
    base = f"WorkflowType = '{workflow_type}' AND {since_clause(since)}"
    wanted = set(ids)
    while True:
        closed_count = await count(client, f"{base} AND ExecutionStatus != 'Running'", deadline)
        if closed_count >= len(wanted):
            executions = await listed(client, f"{base} AND ExecutionStatus != 'Running'", deadline)
            closed = {e.id: _closed(e) for e in executions if e.id in wanted}
            if len(closed) == len(wanted):
                return closed
        if time.monotonic() > deadline:
            raise WatchTimedOut(
                f"{len(wanted) - closed_count} of {len(wanted)} {workflow_type} workflows "
                f"still open after {within:.0f}s"
            )
        await asyncio.sleep(POLL_SECONDS)


def _closed(execution: WorkflowExecution) -> Closed:
    assert execution.close_time is not None
    status = execution.typed_search_attributes.get(search_attributes.STATUS)
    return Closed(execution.id, execution.close_time.timestamp(), status)


async def closing(client: Client, workflow_id: str) -> None:
    """Wait until the workflow closes (a long poll for its close event; nothing is decoded)."""
    handle = client.get_workflow_handle(workflow_id)
    async for _ in handle.fetch_history_events(
        wait_new_event=True, event_filter_type=WorkflowHistoryEventFilterType.CLOSE_EVENT
    ):
        return


async def started_ids(client: Client, workflow_type: str, since: datetime) -> list[str]:
    """The id of every workflow of the type started since `since` (duplicates would show)."""
    query = f"WorkflowType = '{workflow_type}' AND {since_clause(since)}"
    return [e.id for e in await listed(client, query, time.monotonic() + 60)]


async def history_size(client: Client, workflow_id: str) -> tuple[Counter[str], int]:
    """A workflow's history: its events by type (`timer_started`, ...), and its bytes as the
    server stores them."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    kinds = Counter(
        EventType.Name(event.event_type).removeprefix("EVENT_TYPE_").lower()
        for event in history.events
    )
    return kinds, sum(event.ByteSize() for event in history.events)
