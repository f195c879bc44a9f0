"""What every fault drill shares: births arriving through the API while something goes wrong,
then the same checks afterwards. The long drills (`make drill`) and the short ones
(`make test`) are the same code at two sizes.
"""

import asyncio
import contextlib
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import Client

from bench.checks import Check, record_problems
from bench.citizens import CitizenApi, Journey, api_client, journeys_for
from bench.stack import PieceStack
from bench.watch import Closed, started_ids, wait_closed
from onceonly.domain.catalogue import BIRTH

SINCE_MARGIN = timedelta(seconds=1)
# Agencies' client timeout in a drill stack: short, so a 10% time-out share costs seconds.
DRILL_ENV = {"ONCEONLY_AGENCY_TIMEOUT_SECONDS": "2"}


@dataclass(frozen=True)
class DrillSize:
    """How big a drill is: how many births, how they arrive, how long things stay broken."""

    events: int
    error_rate: float
    """Share of agency calls answered 503 in the agency drill."""
    timeout_rate: float
    """Share of agency calls that hang past the client's timeout in the agency drill."""
    arrival_seconds: float
    """The births arrive evenly over this long, so the faults meet events at every stage."""
    concurrency: int
    outage_seconds: float
    """How long the one agency is down in the agency drill."""
    kill_every_seconds: float
    kills: int
    """At most this many worker kills."""
    workers: int
    server_down_seconds: float
    api_down_seconds: float
    finish_seconds: float
    """Every birth must have completed by then."""

    @property
    def lead_seconds(self) -> float:
        """When a one-off fault strikes: a third into the arrivals, events at every stage."""
        return self.arrival_seconds / 3


LONG = DrillSize(
    events=300,
    error_rate=0.2,
    timeout_rate=0.1,
    arrival_seconds=60,
    concurrency=16,
    outage_seconds=60,
    kill_every_seconds=5,
    kills=12,
    workers=3,
    server_down_seconds=10,
    api_down_seconds=5,
    # Retries back off to the agency's cap (five minutes by default): with 30% of calls
    # failing throughout, a step the outage pushed to the cap can fail three or four times
    # more, five minutes apart.
    finish_seconds=1800,
)
# Half the fault rates of the long drill: retries back off exponentially (up to a minute),
# so at the long drill's rates a few unlucky steps can take minutes, too long for `make test`.
SHORT = DrillSize(
    events=15,
    error_rate=0.1,
    timeout_rate=0.05,
    arrival_seconds=6,
    concurrency=8,
    outage_seconds=6,
    kill_every_seconds=3,
    kills=2,
    workers=2,
    server_down_seconds=3,
    api_down_seconds=2,
    finish_seconds=150,
)

Disturbance = Callable[[asyncio.Event], Coroutine[Any, Any, list[Check]]]
"""Breaks something while births arrive, until the event is set; what it did, as checks."""


async def drive(
    stack: PieceStack,
    client: Client,
    name: str,
    size: DrillSize,
    disturb: Disturbance,
    *,
    repeat_late: bool = False,
) -> list[Check]:
    """Run `size.events` births through the API under `disturb`, then check nothing was lost
    or done twice; with `repeat_late`, every client also retries its start once its event
    has completed (an answer lost long ago), which must answer the same event and start none.
    """
    journeys = journeys_for(f"{name}-{secrets.token_hex(3)}", size.events)
    since = datetime.now(UTC) - SINCE_MARGIN
    over = asyncio.Event()
    disturbance = asyncio.create_task(disturb(over))
    try:
        async with api_client(stack.settings, size.concurrency) as http:
            api = CitizenApi(stack.settings, http)
            await _arrive(api, journeys, size)
            ids = [j.event_id for j in journeys if j.event_id and j.grant_answered]
            closed = await wait_closed(client, "birth", ids, since, size.finish_seconds)
            over.set()
            checks = await disturbance
            repeats = [await _repeat(api, journey) for journey in journeys if repeat_late]
    finally:
        over.set()
        if not disturbance.done():
            disturbance.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await disturbance
    started = await started_ids(client, "birth", since)
    records = await _records_check(stack, journeys)
    return [*checks, *_lost_or_twice(journeys, started, closed, repeats), records]


async def _arrive(api: CitizenApi, journeys: list[Journey], size: DrillSize) -> None:
    gate = asyncio.Semaphore(size.concurrency)
    gap = size.arrival_seconds / len(journeys)

    async def one(index: int, journey: Journey) -> None:
        await asyncio.sleep(index * gap)
        async with gate:
            await api.start_birth(journey)
            await api.grant_all(journey)

    results = await asyncio.gather(
        *(one(i, journey) for i, journey in enumerate(journeys)), return_exceptions=True
    )
    # A citizen whose calls kept failing is a finding for the checks, not a crash of the drill.
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result


async def _repeat(api: CitizenApi, journey: Journey) -> bool:
    """A client's retry of the start, long after: True when it answers the same event."""
    before = journey.event_id
    return before is not None and await api.start_birth(journey) == before


def _lost_or_twice(
    journeys: list[Journey], started: list[str], closed: dict[str, Closed], repeats: list[bool]
) -> list[Check]:
    count = len(journeys)
    retries = sum(journey.retries for journey in journeys)
    answered = [j.event_id for j in journeys if j.event_id and j.grant_answered]
    one_id = sum(1 for journey in journeys if len(journey.answered_ids) == 1)
    completed = sum(1 for i in answered if i in closed and closed[i].status == "completed")
    return [
        Check(
            "every start and grant was answered",
            len(answered) == count,
            f"{len(answered)}/{count} answered, {retries} calls retried",
        ),
        Check(
            "each Idempotency-Key answered one event id, retries included",
            one_id == count and all(repeats),
            f"{one_id}/{count} keys with one id"
            + (f"; {sum(repeats)}/{count} repeats after completion the same" if repeats else ""),
        ),
        Check(
            "no second event: one workflow run per key",
            sorted(started) == sorted(j.event_id for j in journeys if j.event_id),
            f"{len(started)} runs started for {count} keys ({len(set(started))} ids)",
        ),
        Check("every event completed", completed == count, f"{completed}/{count} completed"),
    ]


async def _records_check(stack: PieceStack, journeys: list[Journey]) -> Check:
    """Exactly one record per (event, granted step) at the step's agency, and no other."""
    step_agency = {step.id: step.agency for step in BIRTH.steps}
    held = {agency: await stack.agency_keys(agency) for agency in set(step_agency.values())}
    granted = {journey.event_id: journey.granted for journey in journeys if journey.event_id}
    problems = record_problems(granted, step_agency, held)
    expected = sum(len(steps) for steps in granted.values())
    return Check(
        "exactly one agency record per (event, step)",
        not problems,
        f"{expected - len(problems)}/{expected} as expected"
        + (f"; e.g. {problems[0]}" if problems else ""),
    )
