"""The usage drill's calls as an operator and the public make them, each timed against a
baseline of the same run: `onceonly ops report` (the CLI) against its own `--help`, the
report's read and aggregation against a `count(*)` over the rows it reads, the operator route
against `/healthz`, the statistics against one visibility listing and one count."""

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
from temporalio.client import Client

from bench.checks import ratio
from bench.stack import PieceStack
from bench.usage_drill import DrillFailed, UsageDrill, median_seconds
from onceonly.auth import mint_token
from onceonly.settings import Settings
from onceonly.statistics import ONCEONLY
from onceonly.store import embedded_store_file, opened_store
from onceonly.usage_report import OVERDUE_LOOKBACK, period_bounds, usage_report


async def report_of(store: Any, settings: Settings, since: date, until: date) -> Any:
    """The usage report of every agency from `since` to `until`, read from `store` now."""
    return await usage_report(
        store.usage,
        since=since,
        until=until,
        agency=None,
        timezone=settings.timezone,
        now=datetime.now(UTC),
    )


def operator_token(settings: Settings) -> str:
    return mint_token(settings, "usage-drill-operator", role="operator")


async def timed_report(
    stack: PieceStack, since: date, until: date
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """`onceonly ops report --json` as an operator runs it (its rows), and its timings: the
    CLI against the same CLI's `--help` (the process and its imports), the report's read and
    aggregation in this process against a `count(*)` over the rows it reads."""
    settings = stack.settings
    argv = [sys.executable, "-m", "onceonly", "ops", "--token", operator_token(settings)]
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
        report = await median_seconds(lambda: report_of(store, settings, since, until))
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


async def timed_operator_route(
    settings: Settings, since: date, until: date
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """`GET /v1/operator/usage` (its rows), and its time against `GET /healthz` on the same
    API (the route's own cost over a request's)."""
    params = {"from": since.isoformat(), "to": until.isoformat()}
    headers = {"Authorization": f"Bearer {operator_token(settings)}"}
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


async def timed_statistics(
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
