"""How long the usage report (`onceonly ops report`) takes over a month of 10,000 life events'
ledger entries on PostgreSQL, against a plain `SELECT count(*)` over the same rows in the same
run (the floor any report over them stands on).

The entries are made up, in the shape the activities write them (requests per attempt,
answers, outcomes, consent decisions, some retries, declines, withdrawals and amendments),
and loaded with COPY: the benchmark measures reading, not the writes, which the births
benchmarks measure.

Run alone: `python -m bench usage-report [--events 10000]` (a throw-away PostgreSQL server);
`make bench` runs it too, on the benchmarks' PostgreSQL.
"""

import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from bench.report import table, write_json
from onceonly.domain.catalogue import CATALOGUE, LifeEventSpec, StepSpec
from onceonly.store.postgres import PostgresDatabase, PostgresUsageLedger, migrate
from onceonly.usage import COLUMNS, UsageEntry, UsageKind, usage_key, usage_row
from onceonly.usage_report import usage_report
from tests.postgres import running_postgres
from tests.users import reachable_temp_dir

EVENTS = 10_000
ROUNDS = 5  # each figure is the median of these many runs
MONTH = (date(2026, 11, 1), date(2026, 11, 30))
START = datetime(2026, 10, 31, 11, 0, tzinfo=UTC)  # 1 November in Auckland
ZONE = "Pacific/Auckland"
COLUMNS_OF_TABLE = (
    "events",
    "entries",
    "rows",
    "count(*) ms",
    "report ms",
    "ratio",
    "one agency ms",
)


def made_up_entries(events: int, seed: int = 4819) -> Iterator[UsageEntry]:
    """`events` births and moves over a month, each step's facts as the activities write them."""
    draw = random.Random(seed)
    kinds = [event for event in CATALOGUE.life_events if event.event_type in ("birth", "move")]
    for n in range(events):
        event = kinds[n % len(kinds)]
        event_id = f"{event.event_type}-{uuid.UUID(int=draw.getrandbits(128)).hex}"
        begun = START + timedelta(seconds=draw.uniform(0, 29 * 86_400))
        for step in event.steps:
            yield from _step_facts(draw, event, step, event_id, begun)


def _step_facts(
    draw: random.Random, event: LifeEventSpec, step: StepSpec, event_id: str, begun: datetime
) -> Iterator[UsageEntry]:
    def fact(kind: UsageKind, key: str, after: float, **more: Any) -> UsageEntry:
        return UsageEntry(
            key=usage_key(event_id, step.id, key),
            event_id=event_id,
            event_type=event.event_type,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            kind=kind,
            at=begun + timedelta(seconds=after),
            **more,
        )

    choice = "acknowledge" if step.legal_basis.kind != "consent" else "grant"
    if choice == "grant" and draw.random() < 0.05:
        yield fact("consent", "consent/1", 30, detail="decline")
        return
    yield fact("consent", "consent/1", 30, detail=choice)
    yield fact("request", "request/1", 31)
    sent = 31.0
    if draw.random() < 0.1:
        sent += draw.expovariate(1 / 60)
        yield fact("request", "request/2", sent, attempt=2)
    accepted = sent + draw.expovariate(1 / 2)
    slow = step.agency == "ird" and draw.random() < 0.3
    yield fact("accepted", "accepted", accepted, due_seconds=5 * 86_400.0 if slow else None)
    done = accepted + (draw.expovariate(1 / 86_400) if slow else 0)
    yield fact("completed", "outcome", done)
    if draw.random() < 0.02:
        yield fact("withdrawn", "withdrawal", done + 3_600, detail="withdrawn")
    if draw.random() < 0.03:
        yield fact("amended", "correction-1", done + 7_200)


async def _median_ms(work: Any, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


async def measure_usage_report(server_url: str, events: int = EVENTS) -> dict[str, Any]:
    """Fill a database of its own on the server at `server_url` with `events` events' entries,
    time the report (all agencies, then one) against `count(*)`, and drop the database."""
    name = f"bench_usage_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        await migrate(url)
        entries = 0
        with psycopg.connect(url) as connection:
            with connection.cursor().copy(f"COPY agency_usage ({COLUMNS}) FROM STDIN") as copy:
                for entry in made_up_entries(events):
                    copy.write_row(usage_row(entry))
                    entries += 1
            connection.execute("ANALYZE agency_usage")
        database = PostgresDatabase(url)
        await database.open()
        try:
            figures = await _timed(PostgresUsageLedger(database), database, events, entries)
        finally:
            await database.close()
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    print(table("\nusage report over a month (PostgreSQL)", COLUMNS_OF_TABLE, [figures]))
    return dict(zip(COLUMNS_OF_TABLE, figures, strict=True))


async def _timed(
    ledger: PostgresUsageLedger, database: PostgresDatabase, events: int, entries: int
) -> list[Any]:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    rows: list[int] = []

    async def count() -> None:
        async with database.pool.connection() as connection:
            await connection.execute(
                "SELECT count(*) FROM agency_usage WHERE at >= %s AND at < %s",
                (START - timedelta(days=31), START + timedelta(days=30)),
            )

    async def report(agency: str | None = None) -> None:
        found = await usage_report(
            ledger, since=MONTH[0], until=MONTH[1], agency=agency, timezone=ZONE, now=now
        )
        rows[:] = [len(found.rows)] if agency is None else rows

    counted = await _median_ms(count)
    reported = await _median_ms(report)
    one = await _median_ms(lambda: report("ird"))
    return [events, entries, rows[0], counted, reported, round(reported / counted, 1), one]


def main(events: int = EVENTS) -> int:
    """`python -m bench usage-report`: on a throw-away PostgreSQL server of its own."""
    with (
        reachable_temp_dir("onceonly-bench-usage-") as base,
        running_postgres(base, durable=True) as server,
    ):
        figures = asyncio.run(measure_usage_report(server, events))
    path = write_json("usage_report", {"usage_report": figures})
    print(f"\nfigures kept in {path}")
    return 0
