"""The usage drill (`python -m bench usage-drill`): a thousand life events or more through the
real stack (births, moves and deaths; most checkpoints granted, some declined; after the
events, a few consents withdrawn and a few children's names corrected; IRD and BDM deciding
seconds later; a share of calls to the other agencies refused 503 and retried), then `onceonly
ops report` (the CLI, as an operator runs it), `GET /v1/operator/usage` and
`GET /v1/statistics`, every figure set beside the mock agencies' own records and the drill's
own plan (bench/usage_checks.py, bench/release_checks.py), each call timed against a baseline
in the same run.

The statistics publish only months that have ended, and the drill's events are in the month
under way: its stack runs with `ONCEONLY_STATISTICS_AS_OF` (development only, production
refuses it) set after the month, so the API releases the month as it will once it ends. The
events, the visibility data and the ledger are the run's own, untouched.
"""

import asyncio
import contextlib
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from temporalio.client import Client

from bench.checks import Check
from bench.citizens import CitizenApi, Journey, journeys_for
from bench.release_checks import StatisticsTruth
from bench.stack import PieceStack
from bench.staff import STAFF_REFERENCE
from bench.usage_plan import NOT_APPLICABLE, PlannedEvent, Service, final_status, submitted_steps
from bench.watch import count
from onceonly.domain.life_event import EventStatus
from onceonly.domain.search_attributes import STATUS
from onceonly.samples import birth_request_data, death_request_data, move_request_data
from onceonly.statistics import ONCEONLY
from tests.postgres import PostgresMissing, running_postgres, server_bin_dir
from tests.users import reachable_temp_dir

SLOW_SECONDS = 5.0
"""How long IRD takes to issue a newborn's number and BDM to decide a death's review: every
such step is an outcome that comes later (a callback, a poll)."""
REFUSED_SHARE = 0.05
"""Share of submissions the other agencies answer 503, so the report has retries to count."""
REFUSING = ("msd", "health", "nzta", "electoral", "acc", "passports", "veterans")
"""Not IRD and BDM (they decide later; their status checks are look-ups), nor the council: its
submissions look the property up first, and a refused look-up is a retry (of the activity)
that the mocks' count of answered submissions cannot see."""
CONCURRENCY = 16  # citizens at once: enough to keep two cores busy without a backlog
SETTLE_SECONDS = 3 * 3600.0  # a run not settled by then has found a problem, not a figure
LEDGER_SECONDS = 180.0  # for the last outcomes and withdrawals to reach the ledger
POLL_SECONDS = 2.0
ROUNDS = 3  # timings are the median of these many calls (the statistics asked as often)
UNDER_WAY = (EventStatus.IN_PROGRESS, EventStatus.AWAITING_CONSENT)
OPEN = f"{ONCEONLY} AND {STATUS.name} IN ({', '.join(repr(str(s)) for s in UNDER_WAY)})"
CORRECTION = {
    "corrections": [{"path": "child.name.given_names", "value": ["Aroha", "Meri"]}],
    "reason": "misspelt given name",
}
SAMPLES: dict[str, Callable[[date], dict[str, Any]]] = {
    "birth": birth_request_data,
    "move": move_request_data,
    "death": death_request_data,
}


class DrillFailed(RuntimeError):
    """The run did not settle, or a call kept failing."""


def statistics_as_of(today: date) -> date:
    """A day after the month under way (and after any month a run of a week could reach):
    the statistics then publish the month, as they will once it has ended."""
    later = today + timedelta(days=7)
    return date(later.year + later.month // 12, later.month % 12 + 1, 1)


def month(moment: float, zone: ZoneInfo) -> str:
    """The month (YYYY-MM, in the zone) of a wall-clock time."""
    return f"{datetime.fromtimestamp(moment, zone):%Y-%m}"


def postgresql_installed() -> bool:
    """Whether a PostgreSQL server can be started here for the stack's store."""
    try:
        server_bin_dir()
    except PostgresMissing:
        return False
    return True


@contextlib.contextmanager
def store_url(postgresql: bool) -> Iterator[str | None]:
    """A throw-away PostgreSQL server's URL for the stack's store, or None (SQLite)."""
    if not postgresql:
        yield None
        return
    with (
        reachable_temp_dir("onceonly-usage-drill-pg-") as base,
        running_postgres(base, durable=True) as url,
    ):
        yield url


async def median_seconds(work: Callable[[], Awaitable[object]]) -> float:
    """The median time of ROUNDS runs of `work`, one after another."""
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class UsageDrill:
    """One run: the stack, the citizens, what they did and when."""

    def __init__(self, stack: PieceStack, plan: list[PlannedEvent]) -> None:
        """The drill of `plan` on a started `stack`."""
        self.settings = stack.settings
        self.zone = ZoneInfo(self.settings.timezone)
        self.plan = plan
        self.journeys = journeys_for(f"usage-{int(time.time())}", len(plan))
        self.withdrawn_at: dict[int, float] = {}
        self.ended: dict[int, tuple[str, float]] = {}
        """index -> the status the event ended in, and when the drill saw it."""
        self.corrected: dict[Service, Counter[str]] = {}
        """Per (agency, service), the corrections' parts by state, as the citizen saw them."""

    async def arrive(self, http: httpx.AsyncClient) -> None:
        """Start every planned event and answer its checkpoints, CONCURRENCY at once."""
        api = CitizenApi(self.settings, http)
        gate = asyncio.Semaphore(CONCURRENCY)
        today = datetime.now(self.zone).date()

        async def one(planned: PlannedEvent, journey: Journey) -> None:
            async with gate:
                data = SAMPLES[planned.event_type](today)
                event = await api.start_event(journey, planned.event_type, data)
                awaiting = [s["id"] for s in event["steps"] if s["state"] == "awaiting_consent"]
                await api.decide(journey, {step: planned.decision(step) for step in awaiting})

        await asyncio.gather(*map(one, self.plan, self.journeys))

    async def settle(self, client: Client, deadline: float) -> None:
        """Wait until every event has started and none is still under way."""
        shown = 0.0
        while True:
            started = await count(client, ONCEONLY, deadline)
            under_way = await count(client, OPEN, deadline)
            if started >= len(self.plan) and under_way == 0:
                return
            if time.monotonic() > deadline:
                raise DrillFailed(f"{under_way} of {started} events still under way")
            if time.monotonic() - shown > 30:
                print(f"  {under_way} of {started} events under way", flush=True)
                shown = time.monotonic()
            await asyncio.sleep(POLL_SECONDS)

    async def withdraw(self, http: httpx.AsyncClient, deadline: float) -> None:
        """Withdraw the planned consents, then wait until each step shows it."""
        api = CitizenApi(self.settings, http)
        planned = [(p, j) for p, j in zip(self.plan, self.journeys, strict=True) if p.withdraw]
        for event, journey in planned:
            assert event.withdraw is not None
            self.withdrawn_at[event.index] = time.time()
            await api.withdraw(journey, event.withdraw)
        for event, journey in planned:
            while True:
                steps = {s["id"]: s["state"] for s in (await api.event(journey))["steps"]}
                if steps[str(event.withdraw)] == "withdrawn":
                    break
                if time.monotonic() > deadline:
                    raise DrillFailed(f"{journey.event_id}: {event.withdraw} not withdrawn")
                await asyncio.sleep(POLL_SECONDS)

    async def correct(self, http: httpx.AsyncClient, deadline: float) -> None:
        """Correct the child's given names of the planned births, then wait until each
        correction is done; count each agency's part in `corrected` by its state (sent to the
        agency, or manual: left to a person)."""
        api = CitizenApi(self.settings, http)
        planned = [j for p, j in zip(self.plan, self.journeys, strict=True) if p.correct]
        for journey in planned:
            await api.correct(journey, CORRECTION)
        for journey in planned:
            while (found := await api.corrections(journey))[0]["state"] != "done":
                if time.monotonic() > deadline:
                    raise DrillFailed(f"{journey.event_id}: correction not done")
                await asyncio.sleep(POLL_SECONDS)
            for agency in found[0]["agencies"]:
                where = (agency["agency"], agency["service"])
                self.corrected.setdefault(where, Counter())[part_state(agency)] += 1

    async def read_ends(self, http: httpx.AsyncClient) -> None:
        """Read how every event ended, as its citizen sees it."""
        api = CitizenApi(self.settings, http)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(planned: PlannedEvent, journey: Journey) -> None:
            async with gate:
                event = await api.event(journey)
                self.ended[planned.index] = (str(event["status"]), time.time())

        await asyncio.gather(*map(one, self.plan, self.journeys))

    def ends_check(self) -> Check:
        """Every event ended in the status its plan makes."""
        wrong = [
            f"{j.event_id}: {self.ended[p.index][0]}, planned {final_status(p)}"
            for p, j in zip(self.plan, self.journeys, strict=True)
            if self.ended[p.index][0] != final_status(p)
        ]
        return Check(
            "every event ended as its decisions make it end",
            not wrong,
            f"{len(self.plan) - len(wrong)}/{len(self.plan)}"
            + (f"; e.g. {wrong[0]}" if wrong else ""),
        )

    def truth(self) -> StatisticsTruth:
        """The true counts behind the statistics, by month, from what the drill did and saw."""
        truth = StatisticsTruth()
        for planned, journey in zip(self.plan, self.journeys, strict=True):
            status, seen = self.ended[planned.index]
            kind = planned.event_type
            truth.started[kind, month(journey.sent_at, self.zone)] += 1
            if status == "completed":
                truth.completed[kind, month(seen, self.zone)] += 1
            decided = month(journey.decided_at or journey.sent_at, self.zone)
            decisions = dict(planned.decisions)
            for step in planned.spec.steps:
                where = (step.agency, step.service)
                if decisions[step.id] not in ("acknowledge", NOT_APPLICABLE):
                    cell = truth.decisions.setdefault((*where, decided), _counter())
                    cell[decisions[step.id]] += 1
                if step.id == planned.withdraw:
                    at = month(self.withdrawn_at[planned.index], self.zone)
                    truth.decisions.setdefault((*where, at), _counter())["withdraw"] += 1
            for step_id in submitted_steps(planned.spec, decisions):
                truth.outcomes[planned.spec.step(step_id).agency, month(seen, self.zone)] += 1
        return truth

    def days(self) -> tuple[date, date]:
        """The first and last day (in the zone) of the run, for the report."""
        sent = [j.sent_at for j in self.journeys]
        seen = [at for _, at in self.ended.values()]
        return _day(min(sent), self.zone), _day(max(seen), self.zone)

    def months(self) -> tuple[str, str]:
        """The first and last month (YYYY-MM, in the zone) of the run, for the statistics."""
        first, last = self.days()
        return f"{first:%Y-%m}", f"{last:%Y-%m}"

    def longest(self) -> float:
        """Seconds from the first start to the last end seen: no event took longer."""
        return max(at for _, at in self.ended.values()) - min(j.sent_at for j in self.journeys)

    def event_ids(self) -> set[str]:
        """The ids of the run's events."""
        return {j.event_id for j in self.journeys if j.event_id}


def part_state(agency: dict[str, Any]) -> str:
    """An agency's part of a correction as the report counts it: `manual` where the agency's
    staff did it (a task the drill's staff completed, by their reference), else its state."""
    if agency["state"] == "sent" and str(agency.get("reference")).startswith(STAFF_REFERENCE):
        return "manual"
    return str(agency["state"])


def _day(moment: float, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(moment, zone).date()


def _counter() -> Counter[str]:
    return Counter()
