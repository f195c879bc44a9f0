"""Idle scale: many births waiting at their consent checkpoints, as most events spend most of
their lives. How long they take to start, what the worker and the dev server hold in memory
for them, and how fast a citizen can still read one.
"""

import asyncio
import random
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from bench.checks import latency_ms
from bench.citizens import CitizenApi, api_client, journeys_for, run_journeys
from bench.stack import PieceStack, rss_bytes
from bench.throughput import CONCURRENCY, FINISH_SECONDS, SINCE_MARGIN
from bench.watch import count, since_clause
from onceonly.domain import search_attributes

MB = 1024 * 1024


class IdleFailed(RuntimeError):
    """Events that never reached their checkpoints, or a read that did not answer."""


@dataclass(frozen=True)
class IdleFigures:
    """What 10,000 (or --idle-events) waiting births cost."""

    events: int
    start_seconds: float
    starts_per_second: float
    waiting_after_seconds: float
    worker_rss_mb: float
    temporal_rss_mb: float
    api_rss_mb: float
    reads: int
    read_ms: dict[str, float]

    def rows(self) -> list[list[Any]]:
        """The figures as table rows."""
        return [
            ["events waiting at a consent checkpoint", self.events],
            ["seconds to start them through the API", self.start_seconds],
            ["starts per second", self.starts_per_second],
            ["seconds until the worker had run every first task", self.waiting_after_seconds],
            ["worker RSS (MB)", self.worker_rss_mb],
            ["dev server RSS (MB)", self.temporal_rss_mb],
            ["API RSS (MB)", self.api_rss_mb],
            [f"GET /v1/life-events/{{id}} p50 ms ({self.reads} reads)", self.read_ms["p50"]],
            ["  p95 ms", self.read_ms["p95"]],
            ["  p99 ms", self.read_ms["p99"]],
        ]


async def measure_idle(stack: PieceStack, client: Client, events: int, reads: int) -> IdleFigures:
    """Start `events` births without deciding, then measure memory and `reads` status reads."""
    run = f"idle{events}-{secrets.token_hex(3)}"
    journeys = journeys_for(run, events)
    since = datetime.now(UTC) - SINCE_MARGIN
    began = time.monotonic()
    async with api_client(stack.settings, CONCURRENCY) as http:
        api = CitizenApi(stack.settings, http)
        await run_journeys(api, journeys, CONCURRENCY, grant=False)
        started = time.monotonic() - began
        await _wait_all_indexed(client, since, events)
        waiting = await _wait_backlog_drained(client, stack.settings.task_queue)
        rss = {name: rss_bytes(stack[name].pid) / MB for name in ("worker", "temporal", "api")}
        # One citizen at a time, so each read's time is the read's own, not a queue's.
        sample = random.sample(journeys, min(reads, len(journeys)))
        took = []
        for journey in sample:
            status, seconds = await api.read(journey)
            if status != "awaiting_consent":
                raise IdleFailed(f"{journey.event_id} reads {status}, not awaiting_consent")
            took.append(seconds)
    return IdleFigures(
        events=events,
        start_seconds=round(started, 1),
        starts_per_second=round(events / started, 1),
        waiting_after_seconds=round(waiting - began, 1),
        worker_rss_mb=round(rss["worker"], 1),
        temporal_rss_mb=round(rss["temporal"], 1),
        api_rss_mb=round(rss["api"], 1),
        reads=len(took),
        read_ms=latency_ms(took),
    )


async def _wait_backlog_drained(client: Client, task_queue: str) -> float:
    """When the worker had taken every new birth's first task (its checkpoints opened, its
    previews built). The API indexes a new event awaiting consent as it starts it, so
    visibility cannot tell; the task queue's backlog can."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        report_stats=True,
    )
    deadline = time.monotonic() + FINISH_SECONDS
    empty_in_a_row = 0
    # The count is approximate: empty twice in a row, a second apart, is drained.
    while empty_in_a_row < 2:
        stats = (await client.workflow_service.describe_task_queue(request)).stats
        empty_in_a_row = empty_in_a_row + 1 if stats.approximate_backlog_count == 0 else 0
        if time.monotonic() > deadline:
            raise IdleFailed(f"{stats.approximate_backlog_count} first tasks still waiting")
        await asyncio.sleep(1.0)
    return time.monotonic()


async def _wait_all_indexed(client: Client, since: datetime, events: int) -> None:
    """Until every new birth is indexed awaiting consent (as the API starts it)."""
    query = (
        f"WorkflowType = 'birth' AND {since_clause(since)}"
        f" AND {search_attributes.STATUS.name} = 'awaiting_consent'"
    )
    deadline = time.monotonic() + FINISH_SECONDS
    while (found := await count(client, query, deadline)) < events:
        if time.monotonic() > deadline:
            raise IdleFailed(f"only {found} of {events} births were indexed")
        await asyncio.sleep(1.0)
