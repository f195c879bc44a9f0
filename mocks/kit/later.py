"""What a slow mock agency promised to do later, done when due: its decision, then (for an agency
that calls back) the signed callback to onceonly, tried again until onceonly takes it.

The promises are rows in the mocks' store, written with the record of the request that made
them (mocks/kit/store.py), so a restart of the mocks loses none, as a real agency's queue on disk
would not. A loop in the mocks process (`run`, started with the app) claims each due row for
one attempt (a lease: a row whose process died while it held it is claimed again once the
lease runs out, and two processes on one file never claim the same row), performs it (the
decision is a record kept once, so doing it again finds the first) and settles it: done, or
pending again after a backoff while onceonly is unreachable, answers 5xx or says it is too
early.
"""

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import httpx

from mocks.kit.callbacks import CallbackTarget, new_callback, post_callback
from mocks.kit.promises import LaterWork
from mocks.kit.store import Record, Store

# One attempt is a decision and one call: the lease outlasts both, so no live attempt is
# claimed twice, and a dead process's row waits no longer than this after the restart.
CALL_SECONDS = 10.0
LEASE_SECONDS = 20.0
IDLE_SECONDS = 0.25  # how often to look for due work: a decision is that late at most
AT_ONCE = 32  # attempts under way at once (each may wait CALL_SECONDS on onceonly)
FIRST_RETRY_SECONDS = 0.5
# The longest pause between attempts: how late a callback may land after onceonly is back.
MAX_RETRY_SECONDS = 15.0
# onceonly's own safety poll asks long before this; an agency stops calling after a day.
GIVE_UP_SECONDS = 86_400.0

logger = logging.getLogger("mocks.later")


@dataclass(frozen=True)
class Decided:
    """An agency's decision on a request: its reference, and what the callback says."""

    reference: str
    state: Literal["completed", "rejected"]


@dataclass(frozen=True)
class Action:
    """How to perform one kind of promised work: decide, and where to call back (None: the
    agency calls no one back, the decision waits to be asked)."""

    decide: Callable[[Record], Awaitable[Decided]]
    target: CallbackTarget | None


Actions = Mapping[tuple[str, str], Action]
"""Every kind of promised work the app can perform, by (agency, action)."""


def retry_delay(attempts: int) -> float:
    """The pause after failed attempt number `attempts` (1 for the first): doubling from
    FIRST_RETRY_SECONDS, never above MAX_RETRY_SECONDS."""
    return min(FIRST_RETRY_SECONDS * 2.0 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)


async def perform(
    store: Store, actions: Actions, work: LaterWork, http: httpx.AsyncClient, now: float
) -> tuple[str, float | None]:
    """One attempt at `work`: its outcome, and when to try again (None: it is done)."""
    action = actions.get((work.agency, work.action))
    record = await store.held(work.agency, work.idempotency_key)
    if action is None or record is None:
        logger.error("later work %d: nothing to do %s with", work.id, work.action)
        return "not performable here", None
    decided = await action.decide(record)
    key, reference = work.idempotency_key, decided.reference
    callback = new_callback(work.callback_id, key, reference, decided.state)
    if action.target is None or callback is None:
        return "decided", None
    ended, answered = await post_callback(http, action.target, callback)
    if ended != "retry":
        return f"{ended} ({answered})", None
    if now - work.created > GIVE_UP_SECONDS:
        return f"gave up ({answered})", None
    return f"tried ({answered})", now + retry_delay(work.attempts + 1)


async def run(store: Store, actions: Actions) -> None:
    """Perform promised work as it falls due, until cancelled."""
    claim = f"{os.getpid()}-{secrets.token_hex(4)}"
    under_way: set[asyncio.Task[None]] = set()

    async def attempt(work: LaterWork, http: httpx.AsyncClient) -> None:
        try:
            outcome, retry_at = await perform(store, actions, work, http, time.time())
        except asyncio.CancelledError:
            # The mocks are stopping: the work is pending again at once, for the next start.
            await store.promises.settle(work, claim, "interrupted", time.time())
            raise
        except Exception as error:
            # A broken decision is retried like an unreachable onceonly, not lost.
            logger.exception("later work %d failed", work.id)
            outcome = f"error ({type(error).__name__})"
            retry_at = time.time() + retry_delay(work.attempts + 1)
        await store.promises.settle(work, claim, outcome, retry_at)

    async with httpx.AsyncClient(timeout=CALL_SECONDS) as http:
        try:
            while True:
                room = AT_ONCE - len(under_way)
                due = await store.promises.next_due() if room else None
                now = time.time()
                claimed = (
                    await store.promises.claim_due(now, room, LEASE_SECONDS, claim)
                    if due is not None and due <= now
                    else []
                )
                for work in claimed:
                    task = asyncio.create_task(attempt(work, http))
                    under_way.add(task)
                    task.add_done_callback(under_way.discard)
                if not claimed:
                    await asyncio.sleep(IDLE_SECONDS)
        finally:
            for task in under_way:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*under_way, return_exceptions=True)
