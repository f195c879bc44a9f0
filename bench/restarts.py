"""The restart drill: under `onceonly up`, each single process (the Temporal dev server, the mock
agencies, the codec server, the worker, the API) is SIGKILLed while births are in flight and
IRD's callbacks are pending; `up` starts it again. Each kill's births are measured against the
same births in a run without a kill: no event may wait more than about two minutes longer,
every birth completes, and every callback IRD promised is delivered.
"""

import asyncio
import os
import re
import secrets
import signal
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from bench.checks import Check
from bench.citizens import CitizenApi, Journey, api_client, journeys_for
from bench.stack import fresh_secrets
from bench.watch import wait_closed
from onceonly.local_stack import LocalStack, running

EXTRA_WAIT_BAR_SECONDS = 120.0
"""The issue's bar: after a process restarts, no event waits about two minutes longer."""
SINCE_MARGIN = timedelta(seconds=1)
KILLABLE = ("temporal", "agencies", "codec", "worker", "api")


@dataclass(frozen=True)
class RestartSize:
    """How big a restart drill is."""

    births: int
    """Births per run: one run without a kill, then one per process killed."""
    arrival_seconds: float
    """The births of a run arrive evenly over this long."""
    ird_delay_seconds: float
    """How long IRD takes to issue a newborn's number before it calls back."""
    killed: tuple[str, ...]
    finish_seconds: float
    """Every birth of a run must have completed by then."""


# Births arrive for three times IRD's delay: callbacks fall due throughout the middle of a run.
LONG = RestartSize(
    births=30, arrival_seconds=30, ird_delay_seconds=10, killed=KILLABLE, finish_seconds=900
)
# Kills the two whose loss once cost an hour: the mocks (callbacks pending in their memory) and
# the worker (a callback arriving before its step's submission was recorded).
SHORT = RestartSize(
    births=4,
    arrival_seconds=2,
    ird_delay_seconds=3,
    killed=("agencies", "worker"),
    finish_seconds=90,
)


@dataclass(frozen=True)
class Run:
    """One run's births, as measured: seconds from each start to its event's close, in order
    of arrival; and for a kill, what it found and how long the process was away."""

    killed: str | None
    seconds: list[float]
    completed: int
    pending_at_kill: int = 0
    """IRD's promised work not yet done when the process was killed."""
    away_seconds: float = 0.0
    """From the kill until `onceonly up` reported the process ready again."""
    undelivered: tuple[str, ...] = ()
    """IRD's promised callbacks of the run that did not end delivered (or known), and how."""


def extra_seconds(baseline: Sequence[float], run: Sequence[float]) -> list[float]:
    """How much longer each birth of `run` took than the birth that arrived at the same point
    of the run without a kill (the two runs are paired in order of arrival)."""
    return [after - before for before, after in zip(baseline, run, strict=True)]


def ready_pids(log: str) -> dict[str, int]:
    """Each child's pid as `onceonly up` last reported it ready."""
    return {name: int(pid) for name, pid in re.findall(r"(\w+) ready \(pid (\d+)\)", log)}


async def _later_work(stack: LocalStack, keys: set[str] | None = None) -> list[dict[str, Any]]:
    """IRD's promised work (of the given requests' keys, else all)."""
    url = f"{stack.settings.agency_base_url}/ird/_records"
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.get(url, headers=stack.settings.mocks_admin_headers)
        work: list[dict[str, Any]] = answer.raise_for_status().json()["later"]
    return [w for w in work if keys is None or w["idempotency_key"] in keys]


async def _kill_mid_stream(
    stack: LocalStack, name: str, size: RestartSize, journeys: Sequence[Journey]
) -> tuple[int, float]:
    """Once IRD has called back about some of the run's births and still owes callbacks for a
    quarter of them (or when it can owe no more), SIGKILL the process: callbacks fall due
    while it is away. How many were owed, and how long until `up` had it ready again."""
    deadline = time.monotonic() + size.arrival_seconds + size.ird_delay_seconds
    owed = 0
    while time.monotonic() < deadline:
        keys = {f"{j.event_id}/child_ird_number" for j in journeys if j.event_id}
        states = [w["state"] for w in await _later_work(stack, keys)]
        owed = sum(state != "done" for state in states)
        if owed >= max(size.births // 4, 1) and owed < len(states):
            break
        await asyncio.sleep(0.2)
    old = ready_pids(stack.log_path.read_text())[name]
    os.kill(old, signal.SIGKILL)
    killed = time.monotonic()
    while ready_pids(stack.log_path.read_text())[name] == old:
        if time.monotonic() > killed + EXTRA_WAIT_BAR_SECONDS:
            raise RuntimeError(f"{name} was not started again; see {stack.log_path}")
        await asyncio.sleep(0.1)
    return owed, time.monotonic() - killed


async def _one_run(stack: LocalStack, client: Client, size: RestartSize, kill: str | None) -> Run:
    journeys = journeys_for(f"restart-{kill or 'none'}-{secrets.token_hex(3)}", size.births)
    since = datetime.now(UTC) - SINCE_MARGIN
    gap = size.arrival_seconds / size.births

    async def arrive(api: CitizenApi, index: int, journey: Journey) -> None:
        await asyncio.sleep(index * gap)
        await api.start_birth(journey)
        await api.grant_all(journey)

    async with api_client(stack.settings, size.births) as http:
        api = CitizenApi(stack.settings, http)
        arrivals = asyncio.gather(*(arrive(api, i, j) for i, j in enumerate(journeys)))
        pending, away = await _kill_mid_stream(stack, kill, size, journeys) if kill else (0, 0.0)
        await arrivals
    ids = [journey.event_id or "" for journey in journeys]
    closed = await wait_closed(client, "birth", ids, since, size.finish_seconds)
    keys = {f"{event_id}/child_ird_number" for event_id in ids}
    undelivered = tuple(
        f"{w['idempotency_key']}: {w['state']} {w['outcome']}"
        for w in await _later_work(stack, keys)
        if w["state"] != "done" or not str(w["outcome"]).startswith(("delivered", "known"))
    )
    return Run(
        killed=kill,
        seconds=[closed[j.event_id or ""].close_time - j.sent_at for j in journeys],
        completed=sum(closed[i].status == "completed" for i in ids),
        pending_at_kill=pending,
        away_seconds=away,
        undelivered=undelivered,
    )


async def drill(state_dir: Path, size: RestartSize) -> tuple[list[Run], str]:
    """A run without a kill, then one per process in `size.killed`, on one `onceonly up`;
    the runs, and the log of `up`."""
    overrides = {
        **fresh_secrets(),
        "MOCK_IRD_ISSUE_DELAY_SECONDS": str(size.ird_delay_seconds),
        "MOCK_BDM_DEATH_REVIEW_SECONDS": "0",
    }
    await asyncio.to_thread(state_dir.mkdir, parents=True, exist_ok=True)
    stack = LocalStack.on_free_ports(state_dir, overrides, inherit=os.environ)
    with running(stack):
        client = await Client.connect(stack.settings.temporal_address)
        runs = [await _one_run(stack, client, size, None)]
        for name in size.killed:
            runs.append(await _one_run(stack, client, size, name))
    return runs, stack.log_path.read_text()


def figures(runs: Sequence[Run]) -> list[tuple[str, int, float, float, float, float, int]]:
    """One row per run: what was killed, births completed, how long it was away, the median
    birth, and the median and largest extra wait against the run without a kill."""
    baseline = runs[0].seconds
    rows = []
    for run in runs:
        extra = extra_seconds(baseline, run.seconds)
        rows.append(
            (
                run.killed or "(none)",
                run.completed,
                round(run.away_seconds, 1),
                round(statistics.median(run.seconds), 1),
                round(statistics.median(extra), 1),
                round(max(extra), 1),
                run.pending_at_kill,
            )
        )
    return rows


FIGURE_COLUMNS = (
    "killed",
    "completed",
    "away s",
    "median birth s",
    "median extra s",
    "max extra s",
    "callbacks owed at kill",
)


def checks(runs: Sequence[Run], log: str, size: RestartSize) -> list[Check]:
    """What the drill requires: every birth completed, every callback delivered, each killed
    process started again by `up` (and no other), and no birth waiting two minutes longer."""
    baseline = runs[0].seconds
    worst = max((max(extra_seconds(baseline, run.seconds)), run.killed or "") for run in runs[1:])
    died = re.findall(r"(\w+) died \(exit code (-?\d+)\); restarting", log)
    undelivered = [item for run in runs for item in run.undelivered]
    births = size.births * len(runs)
    return [
        Check(
            "every birth completed",
            all(run.completed == size.births for run in runs),
            f"{sum(run.completed for run in runs)}/{births} over {len(runs)} runs",
        ),
        Check(
            "every callback IRD promised was delivered",
            not undelivered,
            f"{births - len(undelivered)}/{births}"
            + (f"; e.g. {undelivered[0]}" if undelivered else ""),
        ),
        Check(
            "onceonly up started each killed process again, and only those",
            sorted(name for name, _ in died) == sorted(size.killed),
            ", ".join(f"{name} (exit {code})" for name, code in died) or "no restarts",
        ),
        Check(
            "no birth waited two minutes longer than without the kill",
            worst[0] <= EXTRA_WAIT_BAR_SECONDS,
            f"at most {worst[0]:.1f}s longer (killing {worst[1]})",
        ),
    ]
