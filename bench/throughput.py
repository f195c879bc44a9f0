"""Throughput and latency of births through the API, and of the baseline through the SDK, on
the same dev server and the same mock process; and the history each leaves.
"""

import asyncio
import secrets
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import Client

from bench.baseline import TASK_QUEUE, WORKFLOW_TYPE, BaselineWorkflow
from bench.baseline_worker import STARTED
from bench.checks import latency_ms
from bench.citizens import CitizenApi, Journey, api_client, journeys_for, run_journeys
from bench.stack import PieceStack
from bench.watch import closing, history_size, wait_closed
from onceonly.settings import Settings

# Workflows in flight at once, ours and the baseline's alike: each caller starts one, decides,
# waits for it to close, then starts the next. Enough to keep two cores busy; few enough that
# no backlog builds in the server's task queues, which would measure the flood, not the system.
CONCURRENCY = 32
# A run that has not finished in this long has found a problem, not a figure.
FINISH_SECONDS = 1800.0
# Clocks of a journey and of the server are one machine's: a second either way is plenty.
SINCE_MARGIN = timedelta(seconds=1)


class BenchFailed(RuntimeError):
    """A benchmark run whose events did not all complete."""


@dataclass(frozen=True)
class RunFigures:
    """One measured run of N workflows."""

    system: str
    events: int
    seconds: float
    per_second: float
    start_to_completion_ms: dict[str, float]
    decision_to_completion_ms: dict[str, float]
    retried_calls: int
    sample_ids: tuple[str, ...]
    cpu_ms_per_event: dict[str, float]
    """CPU time each process spent per workflow over the run (the driver is this process)."""

    def row(self) -> list[Any]:
        """The run as a table row."""
        start, decision = self.start_to_completion_ms, self.decision_to_completion_ms
        return [
            self.system,
            self.events,
            self.seconds,
            self.per_second,
            *(start[p] for p in ("p50", "p95", "p99")),
            *(decision[p] for p in ("p50", "p95", "p99")),
        ]


ROW_HEADER = (
    "system",
    "events",
    "seconds",
    "events/s",
    "start p50 ms",
    "p95",
    "p99",
    "decision p50 ms",
    "p95",
    "p99",
)


@dataclass(frozen=True)
class Round:
    """One round of N workflows of one system, as measured: wall-clock times per workflow id
    (the start sent, the decision sent, the close), and the CPU each process used."""

    system: str
    sent: dict[str, float]
    decided: dict[str, float]
    closed: dict[str, float]
    cpu_seconds: dict[str, float]
    retried: int = 0

    @property
    def seconds(self) -> float:
        """From the first start sent to the last close."""
        return max(self.closed.values()) - min(self.sent.values())


def run_figures(rounds: Sequence[Round]) -> RunFigures:
    """One system's figures over its rounds: the rate over the rounds' summed durations (the
    gaps between them, when the other system ran, left out), latencies over every workflow,
    CPU per workflow over all of them."""
    sent = {i: t for r in rounds for i, t in r.sent.items()}
    decided = {i: t for r in rounds for i, t in r.decided.items()}
    closed = {i: t for r in rounds for i, t in r.closed.items()}
    seconds = sum(r.seconds for r in rounds)
    cpu: Counter[str] = Counter()
    for r in rounds:
        cpu.update(r.cpu_seconds)
    return RunFigures(
        system=rounds[0].system,
        events=len(sent),
        seconds=round(seconds, 1),
        per_second=round(len(sent) / seconds, 2),
        start_to_completion_ms=latency_ms([closed[i] - sent[i] for i in sent]),
        decision_to_completion_ms=latency_ms([closed[i] - decided[i] for i in sent]),
        retried_calls=sum(r.retried for r in rounds),
        sample_ids=tuple(sorted(sent)[:20]),
        cpu_ms_per_event={name: round(used * 1000 / len(sent), 1) for name, used in cpu.items()},
    )


def _cpu_since(stack: PieceStack, before: dict[str, float]) -> dict[str, float]:
    after = stack.cpu_seconds()
    return {name: after[name] - before[name] for name in before if name in after}


async def measure_onceonly(
    stack: PieceStack,
    client: Client,
    events: int,
    settings: Settings | None = None,
    system: str = "onceonly",
) -> Round:
    """N births started through the API (the stack's, or the one `settings` name), all
    checkpoints granted in one batch each, at most CONCURRENCY in flight."""
    settings = settings or stack.settings
    run = f"tp{events}-{secrets.token_hex(3)}"
    journeys = journeys_for(run, events)
    since = datetime.now(UTC) - SINCE_MARGIN
    cpu = stack.cpu_seconds()

    async def until_closed(journey: Journey) -> None:
        await closing(client, _event_id(journey))

    async with api_client(settings, CONCURRENCY) as http:
        api = CitizenApi(settings, http)
        await run_journeys(api, journeys, CONCURRENCY, grant=True, then=until_closed)
    ids = {_event_id(journey): journey for journey in journeys}
    closed = await wait_closed(client, "birth", ids, since, FINISH_SECONDS)
    unfinished = [i for i, c in closed.items() if c.status != "completed"]
    if unfinished:
        raise BenchFailed(f"{len(unfinished)} births did not complete, e.g. {unfinished[0]}")
    return Round(
        system,
        {i: j.sent_at for i, j in ids.items()},
        {i: j.decided_at or j.sent_at for i, j in ids.items()},
        {i: c.close_time for i, c in closed.items()},
        _cpu_since(stack, cpu),
        retried=sum(journey.retries for journey in journeys),
    )


def _event_id(journey: Journey) -> str:
    assert journey.event_id is not None
    return journey.event_id


async def measure_baseline(stack: PieceStack, client: Client, events: int) -> Round:
    """N baseline workflows started and signalled directly with the SDK, at most CONCURRENCY
    in flight."""
    url = f"{stack.settings.agency_base_url}/healthz"
    run = f"baseline{events}-{secrets.token_hex(3)}"
    since = datetime.now(UTC) - SINCE_MARGIN
    sent: dict[str, float] = {}
    decided: dict[str, float] = {}
    gate = asyncio.Semaphore(CONCURRENCY)
    cpu = stack.cpu_seconds()

    async def one(workflow_id: str) -> None:
        async with gate:
            sent[workflow_id] = time.time()
            handle = await client.start_workflow(
                BaselineWorkflow.run, url, id=workflow_id, task_queue=TASK_QUEUE
            )
            decided[workflow_id] = time.time()
            await handle.signal(BaselineWorkflow.decide)
            await closing(client, workflow_id)

    await asyncio.gather(*(one(f"{run}-{i}") for i in range(events)))
    closed = await wait_closed(client, WORKFLOW_TYPE, sent, since, FINISH_SECONDS)
    close_times = {i: c.close_time for i, c in closed.items()}
    return Round("baseline", sent, decided, close_times, _cpu_since(stack, cpu))


async def start_baseline_worker(stack: PieceStack) -> None:
    """The baseline's own worker process, polling its own task queue."""
    argv = [sys.executable, "-m", "bench.baseline_worker", stack.settings.temporal_address]
    await stack.add_piece("baseline-worker", argv, STARTED.encode())


async def mean_history(client: Client, ids: tuple[str, ...]) -> dict[str, float]:
    """Mean history per workflow over `ids`: events, kilobytes, and events of each type."""
    sizes = [await history_size(client, workflow_id) for workflow_id in ids]
    kinds: Counter[str] = sum((kinds for kinds, _ in sizes), Counter())
    return {
        "events": round(kinds.total() / len(sizes), 1),
        "kilobytes": round(sum(size for _, size in sizes) / len(sizes) / 1024, 1),
        **{kind: round(n / len(sizes), 1) for kind, n in sorted(kinds.items())},
    }
