"""The usage drill from start to verdict: a stack of its own (its store in PostgreSQL where a
server is installed), the planned events through it (bench/usage_drill.py), then the report
by the CLI and by the operator route and the statistics, each timed against a baseline of the
same run (bench/usage_timings.py), and the checks (bench/usage_checks.py,
bench/release_checks.py).
"""

import asyncio
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from temporalio.client import Client

from bench.checks import Check
from bench.citizens import api_client
from bench.release_checks import statistics_checks
from bench.stack import PieceStack
from bench.staff import inbox_only_agencies, staff_at_work
from bench.usage_checks import (
    Figure,
    durations_check,
    mocks_usage,
    report_figures,
    summed_rows,
)
from bench.usage_drill import (
    CONCURRENCY,
    LEDGER_SECONDS,
    POLL_SECONDS,
    REFUSED_SHARE,
    REFUSING,
    SETTLE_SECONDS,
    SLOW_SECONDS,
    DrillFailed,
    UsageDrill,
    statistics_as_of,
    store_url,
)
from bench.usage_plan import (
    SERVICE_OF,
    PlannedEvent,
    Service,
    expected_usage,
    left_out,
    plan_events,
)
from bench.usage_timings import (
    report_of,
    timed_operator_route,
    timed_report,
    timed_statistics,
)
from onceonly.settings import Settings
from onceonly.statistics import rounding_secret
from onceonly.store import migrate_store, opened_store

EVENTS = 1_000
SEED = 4819


@dataclass
class Outcome:
    """What a run found: every report figure beside its counterparts, the checks, timings."""

    figures: list[Figure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    measured: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Every figure agrees and every check held."""
        return all(f.agrees for f in self.figures) and all(c.passed for c in self.checks)


async def run_usage_drill(
    state_dir: Path, events: int, seed: int, no_api: Collection[str], postgresql: bool
) -> Outcome:
    """The whole drill on a stack of its own in `state_dir`."""
    plan = plan_events(events, seed, no_api)
    skipped = left_out(no_api)
    for kind, why in skipped.items():
        print(f"  no {kind} events: {why}", flush=True)
    # A week's margin: `statistics_as_of` is past any month the run can reach.
    today = datetime.now(UTC).date()
    with store_url(postgresql) as url:
        overrides = {
            # Open long enough for the withdrawals made once the events have ended.
            "ONCEONLY_WITHDRAWAL_WINDOW": "PT6H",
            "ONCEONLY_STATISTICS_AS_OF": statistics_as_of(today).isoformat(),
            **({"ONCEONLY_DATABASE_URL": url} if url else {}),
        }
        stack = PieceStack.on_free_ports(state_dir, overrides)
        if url:
            await migrate_store(stack.settings)
        try:
            await stack.start()
            outcome = await _drive(stack, plan)
        finally:
            await stack.stop()
    outcome.measured["store"] = "postgresql" if postgresql else "sqlite"
    outcome.measured["left_out"] = skipped
    return outcome


async def _drive(stack: PieceStack, plan: list[PlannedEvent]) -> Outcome:
    settings = stack.settings
    await stack.set_faults("ird", issue_delay_seconds=SLOW_SECONDS)
    await stack.set_faults("bdm", death_review_seconds=SLOW_SECONDS)
    for agency in REFUSING:
        await stack.set_faults(agency, error_rate=REFUSED_SHARE)
    client = await Client.connect(settings.temporal_address)
    drill = UsageDrill(stack, plan)
    deadline = time.monotonic() + SETTLE_SECONDS
    kinds = Counter(p.event_type for p in plan)
    print(f"  {len(plan)} events {dict(kinds)}, {CONCURRENCY} citizens at once", flush=True)
    started = time.perf_counter()
    # Staff work their inboxes throughout: corrections and withdrawals an agency takes only
    # from a person are tasks there.
    async with api_client(settings, CONCURRENCY) as http, staff_at_work(settings, http):
        await drill.arrive(http)
        arrived = time.perf_counter() - started
        print(f"  every event started and decided in {arrived:.0f}s", flush=True)
        await drill.settle(client, deadline)
        await drill.withdraw(http, deadline)
        await drill.correct(http, deadline)
        await drill.settle(client, deadline)
        await drill.read_ends(http)
    expected = expected_usage(plan)
    for where, states in drill.corrected.items():
        tally = expected.setdefault(where, Counter())
        tally.update({f"corrections_{state}": n for state, n in states.items()})
    since, until = drill.days()
    await _until_decided(stack, deadline)
    await _until_in_ledger(settings, since, until, expected)
    wall = time.perf_counter() - started
    print(f"  settled in {wall:.0f}s; asking for the report and the statistics", flush=True)
    outcome = Outcome()
    outcome.measured = {
        "events": dict(kinds),
        "arrival_seconds": round(arrived, 1),
        "wall_seconds": round(wall, 1),
        "withdrawals": sum(1 for p in plan if p.withdraw),
        "corrections": sum(1 for p in plan if p.correct),
    }
    ours, outcome.measured["report"] = await timed_report(stack, since, until)
    api_rows, outcome.measured["operator_route"] = await timed_operator_route(
        settings, since, until
    )
    # Every agency with a mock to ask: a work queue's records are its staff's (bench/staff.py).
    agencies = sorted({agency for agency, _ in SERVICE_OF} - inbox_only_agencies())
    holdings = {agency: await stack.agency_holdings(agency) for agency in agencies}
    outcome.figures = report_figures(
        summed_rows(ours),
        summed_rows(api_rows),
        mocks_usage(holdings, drill.event_ids()),
        expected,
        await stack.agency_answers(),
    )
    published, outcome.measured["statistics"] = await timed_statistics(settings, client, drill)
    outcome.checks = [
        drill.ends_check(),
        Check(
            "every report figure agrees with the mocks' records and the drill's own",
            all(f.agrees for f in outcome.figures),
            f"{sum(f.agrees for f in outcome.figures)}/{len(outcome.figures)} figures agree",
        ),
        durations_check(ours, drill.longest()),
        *statistics_checks(published, drill.truth(), drill.longest(), rounding_secret(settings)),
    ]
    stable = outcome.measured["statistics"]["same_answer_each_time"]
    outcome.checks.append(
        Check("the statistics answer the same question the same way", stable, "asked 3 times")
    )
    outcome.measured["published"] = published
    return outcome


async def _until_decided(stack: PieceStack, deadline: float) -> None:
    """Wait until the slow agencies have done all the work they promised (a status check can
    decide before the promised work runs; the work then finds the decision made)."""
    for agency in ("ird", "bdm"):
        while any(row["state"] != "done" for row in (await stack.agency_holdings(agency))["later"]):
            if time.monotonic() > deadline:
                raise DrillFailed(f"{agency}: promised work still pending")
            await asyncio.sleep(POLL_SECONDS)


async def _until_in_ledger(
    settings: Settings, since: date, until: date, expected: dict[Service, Counter[str]]
) -> None:
    """Wait (LEDGER_SECONDS at most) until the ledger holds every completion, withdrawal and
    correction the run made: the last facts are written as their workflows end."""
    wanted = sum(
        t["completions"] + t["withdrawals"] + t["corrections_sent"] + t["corrections_manual"]
        for t in expected.values()
    )
    deadline = time.monotonic() + LEDGER_SECONDS
    async with opened_store(settings) as store:
        while time.monotonic() < deadline:
            found = await report_of(store, settings, since, until)
            if sum(r.completions + r.withdrawals + r.corrections for r in found.rows) >= wanted:
                return
            await asyncio.sleep(POLL_SECONDS)
