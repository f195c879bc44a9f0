"""The usage drill from start to verdict: a stack of its own (its store in PostgreSQL where a
server is installed), the planned events through it (bench/usage_drill.py), then the report
by the CLI and by the operator route and the statistics, each timed against a baseline of the
same run, the checks (bench/usage_checks.py), and the figures kept in bench/results/.
"""

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
from temporalio.client import Client

from bench.checks import Check, ratio
from bench.citizens import api_client
from bench.release_checks import statistics_checks
from bench.stack import PieceStack
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
    median_seconds,
    statistics_as_of,
    store_url,
)
from bench.usage_plan import SERVICE_OF, PlannedEvent, Service, expected_usage, plan_events
from onceonly.auth import mint_token
from onceonly.settings import Settings
from onceonly.statistics import ONCEONLY, rounding_secret
from onceonly.store import embedded_store_file, migrate_store, opened_store
from onceonly.usage_report import OVERDUE_LOOKBACK, period_bounds, usage_report

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
    async with api_client(settings, CONCURRENCY) as http:
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
    ours, outcome.measured["report"] = await _report(stack, since, until)
    api_rows, outcome.measured["operator_route"] = await _operator_route(settings, since, until)
    agencies = sorted({agency for agency, _ in SERVICE_OF})
    holdings = {agency: await stack.agency_holdings(agency) for agency in agencies}
    outcome.figures = report_figures(
        summed_rows(ours),
        summed_rows(api_rows),
        mocks_usage(holdings, drill.event_ids()),
        expected,
        await stack.agency_answers(),
    )
    published, outcome.measured["statistics"] = await _statistics(settings, client, drill)
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
            found = await _usage_report(store, settings, since, until)
            if sum(r.completions + r.withdrawals + r.corrections for r in found.rows) >= wanted:
                return
            await asyncio.sleep(POLL_SECONDS)


async def _usage_report(store: Any, settings: Settings, since: date, until: date) -> Any:
    return await usage_report(
        store.usage,
        since=since,
        until=until,
        agency=None,
        timezone=settings.timezone,
        now=datetime.now(UTC),
    )


def _operator_token(settings: Settings) -> str:
    return mint_token(settings, "usage-drill-operator", role="operator")


async def _report(
    stack: PieceStack, since: date, until: date
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """`onceonly ops report --json` as an operator runs it (its rows), and its timings: the
    CLI against the same CLI's `--help` (the process and its imports), the report's read and
    aggregation in this process against a `count(*)` over the rows it reads."""
    settings = stack.settings
    argv = [sys.executable, "-m", "onceonly", "ops", "--token", _operator_token(settings)]
    argv += ["report", "--from", since.isoformat(), "--to", until.isoformat()]
    started = time.perf_counter()
    ran = await asyncio.to_thread(
        subprocess.run, [*argv, "--json"], env=stack.env, capture_output=True, text=True
    )
    cli = time.perf_counter() - started
    if ran.returncode != 0:
        raise DrillFailed(f"onceonly ops report: {ran.stderr[-500:]}")
    started = time.perf_counter()
    await asyncio.to_thread(subprocess.run, [*argv, "--help"], env=stack.env, capture_output=True)
    bare = time.perf_counter() - started
    rows: list[dict[str, Any]] = json.loads(ran.stdout)["rows"]
    async with opened_store(settings) as store:
        report = await median_seconds(lambda: _usage_report(store, settings, since, until))
    ledger = LedgerCount(settings, since, until)
    counted = await ledger.seconds()
    return rows, {
        "cli_seconds": round(cli, 2),
        "cli_help_seconds": round(bare, 2),
        "cli_ratio": ratio(cli, bare),
        "ledger_rows": ledger.rows,
        "report_ms": round(report * 1000, 1),
        "count_ms": round(counted * 1000, 1),
        "report_ratio": ratio(report, counted),
    }


class LedgerCount:
    """A `count(*)` over the ledger rows a report of the period reads (the period and its
    lookback): the floor any report over them stands on, on a connection opened once."""

    def __init__(self, settings: Settings, since: date, until: date) -> None:
        """The count for the report of `since` to `until` in `settings`' store."""
        start, end = period_bounds(since, until, ZoneInfo(settings.timezone))
        self.settings = settings
        self.bounds = (start - OVERDUE_LOOKBACK, end)
        self.rows = 0
        """What the count found."""

    async def postgresql(self, url: str) -> float:
        """The median time of the count on PostgreSQL."""
        sql = "SELECT count(*) FROM agency_usage WHERE at >= %s AND at < %s"
        async with await psycopg.AsyncConnection.connect(url) as connection:

            async def count() -> None:
                row = await (await connection.execute(sql, self.bounds)).fetchone()
                self.rows = int(row[0]) if row else 0

            return await median_seconds(count)

    async def sqlite(self, path: Path) -> float:
        """The median time of the count on the embedded SQLite file."""
        sql = "SELECT count(*) FROM agency_usage WHERE at >= ? AND at < ?"
        bounds = tuple(b.astimezone(UTC).isoformat(timespec="microseconds") for b in self.bounds)
        connection = sqlite3.connect(path, check_same_thread=False)
        try:

            async def count() -> None:
                row = await asyncio.to_thread(lambda: connection.execute(sql, bounds).fetchone())
                self.rows = int(row[0])

            return await median_seconds(count)
        finally:
            connection.close()

    async def seconds(self) -> float:
        """The median time of the count in the stack's store."""
        url = self.settings.database_url
        if url:
            return await self.postgresql(url)
        return await self.sqlite(embedded_store_file(self.settings))


async def _operator_route(
    settings: Settings, since: date, until: date
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """`GET /v1/operator/usage` (its rows), and its time against `GET /healthz` on the same
    API (the route's own cost over a request's)."""
    params = {"from": since.isoformat(), "to": until.isoformat()}
    headers = {"Authorization": f"Bearer {_operator_token(settings)}"}
    rows: list[dict[str, Any]] = []
    async with httpx.AsyncClient(base_url=settings.api_url, timeout=600) as http:

        async def usage() -> None:
            answer = await http.get("/v1/operator/usage", params=params, headers=headers)
            answer.raise_for_status()
            rows[:] = answer.json()["rows"]

        async def healthz() -> None:
            (await http.get("/healthz")).raise_for_status()

        route, bare = await median_seconds(usage), await median_seconds(healthz)
    return rows, {
        "route_ms": round(route * 1000, 1),
        "healthz_ms": round(bare * 1000, 1),
        "route_ratio": ratio(route, bare),
    }


async def _statistics(
    settings: Settings, client: Client, drill: UsageDrill
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`GET /v1/statistics` for the run's months (the same answer each time it is asked),
    and its time against one visibility count of the same events, and one listing of them."""
    first, last = drill.months()
    params = {"since": first, "until": last}
    answers: list[dict[str, Any]] = []
    async with httpx.AsyncClient(base_url=settings.api_url, timeout=600) as http:

        async def published() -> None:
            answer = await http.get("/v1/statistics", params=params)
            answer.raise_for_status()
            answers.append(answer.json())

        took = await median_seconds(published)

    async def counted() -> None:
        await client.count_workflows(ONCEONLY)

    async def listed() -> None:
        async for _ in client.list_workflows(ONCEONLY):
            pass

    bare, listing = await median_seconds(counted), await median_seconds(listed)
    return answers[0], {
        "months": [first, last],
        "statistics_ms": round(took * 1000, 1),
        "visibility_count_ms": round(bare * 1000, 1),
        "statistics_ratio": ratio(took, bare),
        # The statistics list the events twice (started, completed): the floor they stand on.
        "visibility_listing_ms": round(listing * 1000, 1),
        "statistics_listing_ratio": ratio(took, listing),
        "same_answer_each_time": all(answer == answers[0] for answer in answers),
    }
