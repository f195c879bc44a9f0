"""The child processes of `onceonly up`: starting one and waiting until it is ready, stopping it,
and starting it again when it dies, after a pause that grows while it keeps dying.

Every child keeps its state outside its own process (Temporal's database, the mocks' store, the
API's and the worker's files), so starting one again loses nothing; the others ride out the
gap by retrying (the worker and the API reconnect to Temporal, the mocks call back until the
API takes the callback, activities retry an agency that is down).
"""

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

READY_TIMEOUT_SECONDS = 90.0  # the dev server's first start creates its database
STOP_TIMEOUT_SECONDS = 15.0  # longer than the worker's graceful shutdown
PROBE_INTERVAL_SECONDS = 0.25
FIRST_RESTART_DELAY_SECONDS = 1.0
# A child that keeps dying is started at most twice a minute, not in a tight loop.
MAX_RESTART_DELAY_SECONDS = 30.0
# A child that stayed up this long was well: its next death starts the backoff afresh.
STAYED_UP_SECONDS = 60.0


class ChildFailed(RuntimeError):
    """A child process that exited or never became ready."""


@dataclass
class Child:
    """One supervised process and how to tell it is ready."""

    name: str
    argv: list[str]
    ready: Callable[[], Awaitable[bool]]
    env: dict[str, str] = field(default_factory=dict)
    started_line: str | None = None
    """A line the child prints once ready, where the probe alone cannot tell."""
    process: asyncio.subprocess.Process | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once this start's process printed `started_line`."""


def restart_delay(in_a_row: int) -> float:
    """The pause before starting again a child that died `in_a_row` times without staying up
    in between (1 for the first): doubling from one second, at most thirty."""
    doubled = FIRST_RESTART_DELAY_SECONDS * 2.0 ** max(in_a_row - 1, 0)
    return min(doubled, MAX_RESTART_DELAY_SECONDS)


def deaths_in_a_row(before: int, stayed_up_seconds: float) -> int:
    """How many times in a row a child has died now, given the count at its last death and
    how long it stayed up since: a minute up starts the count afresh."""
    return 1 if stayed_up_seconds >= STAYED_UP_SECONDS else before + 1


async def _relay_output(child: Child) -> None:
    """Prefix each line a child prints with its name, so the interleaved log stays readable."""
    assert child.process is not None and child.process.stdout is not None
    width = len("temporal")
    async for line in child.process.stdout:
        text = line.decode(errors="replace")
        if child.started_line is not None and child.started_line in text:
            child.started.set()
        sys.stdout.write(f"{child.name:<{width}} | {text}")
        sys.stdout.flush()


async def start(child: Child, relays: list[asyncio.Task[None]], stop: asyncio.Event) -> None:
    """Start the child and wait until it is ready; ChildFailed if it exits or is not ready in
    time, or `stop` is set meanwhile."""
    child.started.clear()
    child.process = await asyncio.create_subprocess_exec(
        *child.argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **child.env},
        # Own session: Ctrl-C reaches only the supervisor, which stops children in order.
        start_new_session=True,
    )
    relays.append(asyncio.create_task(_relay_output(child)))
    deadline = asyncio.get_running_loop().time() + READY_TIMEOUT_SECONDS
    while True:
        if stop.is_set():
            raise ChildFailed(f"interrupted while {child.name} was starting")
        if child.process.returncode is not None:
            raise ChildFailed(f"{child.name} exited with code {child.process.returncode} at start")
        # Any error from a probe only means "not ready yet"; the deadline bounds the wait.
        with contextlib.suppress(Exception):
            if (child.started_line is None or child.started.is_set()) and await child.ready():
                print(f"{child.name} ready (pid {child.process.pid})", flush=True)
                return
        if asyncio.get_running_loop().time() > deadline:
            raise ChildFailed(f"{child.name} was not ready after {READY_TIMEOUT_SECONDS:.0f}s")
        await asyncio.sleep(PROBE_INTERVAL_SECONDS)


async def stop_child(child: Child) -> None:
    """SIGTERM, then SIGKILL if it has not stopped in time; and whatever it left behind."""
    process = child.process
    if process is not None and process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            print(f"{child.name} did not stop in {STOP_TIMEOUT_SECONDS:.0f}s: killing it")
            process.kill()
            await process.wait()
    _kill_leftovers(child)


def _kill_leftovers(child: Child) -> None:
    """SIGKILL what the child started and left behind (its session's process group): a dead
    child's helper must not hold its port when it starts again."""
    if child.process is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, signal.SIGKILL)


async def keep_running(child: Child, relays: list[asyncio.Task[None]], stop: asyncio.Event) -> None:
    """Start the child again whenever it dies, after `restart_delay`, until `stop`."""
    loop = asyncio.get_running_loop()
    in_a_row = restarts = 0
    up_since = loop.time()
    while not stop.is_set():
        assert child.process is not None
        code = await child.process.wait()
        if stop.is_set():
            return
        _kill_leftovers(child)
        in_a_row = deaths_in_a_row(in_a_row, loop.time() - up_since)
        restarts += 1
        delay = restart_delay(in_a_row)
        print(
            f"{child.name} died (exit code {code}); restarting in {delay:g} s (restart {restarts})",
            flush=True,
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return
        up_since = loop.time()
        try:
            await start(child, relays, stop)
        except ChildFailed as failure:
            # Died again at once, or not ready in time: stop what is left, and pause longer.
            print(f"{child.name} did not come back: {failure}", flush=True)
            await stop_child(child)
