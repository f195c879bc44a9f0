"""The four fault drills: flaky and down agencies, workers killed, the Temporal dev server killed
and restarted, the API killed and restarted. Each breaks one thing while births arrive
(`bench.drill_run.drive`) and says what it did; the shared checks then say whether anything
was lost or done twice.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from itertools import cycle

from temporalio.client import Client

from bench.checks import Check
from bench.drill_run import Disturbance, DrillSize, drive
from bench.stack import PieceStack
from onceonly.domain.catalogue import BIRTH

# Past the drill stack's 2 s agency timeout (DRILL_ENV), and not much more.
TIMEOUT_MS = 3_000


async def _until(over: asyncio.Event, seconds: float) -> bool:
    """Sleep `seconds` or until the run is over; True if it is over."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(over.wait(), seconds)
    return over.is_set()


async def flaky_agencies(stack: PieceStack, client: Client, size: DrillSize) -> list[Check]:
    """Every agency of a birth fails a share of calls (20% in the long drill) and times out on
    another (10%); the first (BDM, whose step every other needs) is down altogether for
    `size.outage_seconds`."""
    agencies = sorted({step.agency for step in BIRTH.steps})
    down = BIRTH.steps[0].agency
    flaky = {
        "error_rate": size.error_rate,
        "timeout_rate": size.timeout_rate,
        "timeout_ms": TIMEOUT_MS,
    }

    async def disturb(over: asyncio.Event) -> list[Check]:
        before = await stack.agency_answers()
        for agency in agencies:
            await stack.set_faults(agency, **flaky)
        try:
            if await _until(over, size.lead_seconds):
                return [Check(f"{down} down", False, "the run ended before the outage")]
            await stack.set_faults(down, error_rate=1.0)
            await _until(over, size.outage_seconds)
            await stack.set_faults(down, **flaky)
            await over.wait()
        finally:
            for agency in agencies:
                await stack.set_faults(agency)
        after = await stack.agency_answers()
        refused = {a: after.get((a, "503"), 0) - before.get((a, "503"), 0) for a in agencies}
        return [
            Check(
                "agencies failed and timed out under load",
                # Faults besides the outage reached the run (any one agency may draw none in a
                # short run: 15 calls at 15% miss them all one time in twelve).
                sum(n for agency, n in refused.items() if agency != down) > 0,
                f"{size.error_rate:.0%} 503s, {size.timeout_rate:.0%} time-outs; "
                + "answered 503 or dropped: "
                + ", ".join(f"{agency} {n}" for agency, n in refused.items()),
            ),
            Check(f"{down} was down", True, f"for {size.outage_seconds:.0f}s"),
        ]

    return await drive(stack, client, "agencies", size, disturb)


async def killed_workers(stack: PieceStack, client: Client, size: DrillSize) -> list[Check]:
    """`size.workers` workers; one SIGKILLed every few seconds and started again."""
    while len(stack.workers) < size.workers:
        await stack.add_worker()

    async def disturb(over: asyncio.Event) -> list[Check]:
        kills = 0
        pause = size.lead_seconds
        for worker in cycle(stack.workers):
            if kills == size.kills or await _until(over, pause):
                break
            pause = size.kill_every_seconds
            worker.kill()
            kills += 1
            await worker.start()
        alive = sum(worker.alive for worker in stack.workers)
        return [
            Check(
                "workers killed with SIGKILL and started again",
                kills > 0,
                f"{kills} kills among {len(stack.workers)} workers; {alive} alive after",
            )
        ]

    try:
        return await drive(stack, client, "workers", size, disturb)
    finally:
        for worker in stack.extra_workers:
            await worker.stop()
        stack.extra_workers.clear()


async def restarted_server(stack: PieceStack, client: Client, size: DrillSize) -> list[Check]:
    """The Temporal dev server SIGKILLed mid-run and started again on the same database."""
    return await drive(stack, client, "server", size, _restart(stack, "temporal", size))


async def restarted_api(stack: PieceStack, client: Client, size: DrillSize) -> list[Check]:
    """The API SIGKILLed mid-run and started again; clients retry with their keys, during the
    outage and again once their events have completed."""
    return await drive(stack, client, "api", size, _restart(stack, "api", size), repeat_late=True)


def _restart(stack: PieceStack, name: str, size: DrillSize) -> Disturbance:
    down_for = size.server_down_seconds if name == "temporal" else size.api_down_seconds
    others = [piece for piece in stack.pieces.values() if piece.name != name]

    async def disturb(over: asyncio.Event) -> list[Check]:
        pids = {piece.name: piece.pid for piece in others}
        if await _until(over, size.lead_seconds):
            return [Check(f"{name} restarted", False, "the run ended before the kill")]
        stack[name].kill()
        killed = time.monotonic()
        await asyncio.sleep(down_for)
        await stack[name].start()
        back = time.monotonic() - killed
        survived = [p.name for p in others if p.alive and pids[p.name] == p.pid]
        await over.wait()
        where = f" on {stack.settings.state_dir / 'temporal.db'}" if name == "temporal" else ""
        return [
            Check(
                f"{name} SIGKILLed and started again{where}",
                True,
                f"down {back:.1f}s; the others rode it out: {', '.join(survived)}",
            ),
            Check(
                "no other process had to restart",
                len(survived) == len(others),
                f"{len(survived)}/{len(others)} kept their process",
            ),
        ]

    return disturb


Drill = Callable[[PieceStack, Client, DrillSize], Awaitable[list[Check]]]
DRILLS: dict[str, Drill] = {
    "agencies": flaky_agencies,
    "workers": killed_workers,
    "server": restarted_server,
    "api": restarted_api,
}
"""Every drill by name, in the order `make drill` runs them."""
