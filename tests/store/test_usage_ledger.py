"""What every implementation of the usage ledger promises, on SQLite and PostgreSQL alike: one
entry per key however many writers at once and through however many opened stores, and a
period's read that brings each step's whole story, of one agency when asked; and the report's
percentiles are PostgreSQL's own."""

import asyncio
import random
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from onceonly.store import Store
from onceonly.usage import UsageEntry, recorded, usage_key
from onceonly.usage_report import percentile

T0 = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
EVENT = f"birth-{'a' * 32}"


def fact(kind: str = "request", step_id: str = "child_ird_number", **changes) -> UsageEntry:
    event_id = changes.pop("event_id", EVENT)
    values = {
        "key": usage_key(event_id, step_id, changes.pop("fact", kind)),
        "event_id": event_id,
        "event_type": "birth",
        "step_id": step_id,
        "agency": "ird",
        "service": "child-ird-number",
        "kind": kind,
        "at": T0,
    }
    return UsageEntry(**{**values, **changes})


async def test_a_fact_is_kept_once_per_key_across_replicas(store: Store, other_store: Store):
    first = fact("accepted", due_seconds=3600.0)
    assert await store.usage.record(first) is True
    again = fact("accepted", due_seconds=3600.0, at=T0 + timedelta(minutes=3))
    assert await other_store.usage.record(again) is False
    kept = await other_store.usage.of_steps_active_between(T0, T0 + timedelta(hours=1))
    assert kept == [recorded(first)]


async def test_of_many_writers_of_one_key_at_once_exactly_one_writes(
    store: Store, other_store: Store
):
    copies = [fact("completed", fact="outcome", at=T0 + timedelta(seconds=n)) for n in range(12)]
    written = await asyncio.gather(
        *((store if n % 2 else other_store).usage.record(c) for n, c in enumerate(copies))
    )
    assert sorted(written) == [False] * 11 + [True]
    kept = await store.usage.of_steps_active_between(T0, T0 + timedelta(hours=1))
    assert kept == [recorded(copies[written.index(True)])]


async def test_a_period_brings_each_active_steps_whole_story_in_time_order(store: Store):
    before = T0 - timedelta(days=3)
    story = [
        fact("request", fact="request/1", at=before),
        fact("request", fact="request/2", attempt=2, at=before + timedelta(minutes=1)),
        fact("accepted", at=before + timedelta(minutes=2), due_seconds=86_400.0),
        fact("completed", fact="outcome", at=T0 + timedelta(hours=2)),
    ]
    quiet = fact("request", step_id="register_birth", agency="bdm", service="birth", at=before)
    elsewhere = fact(
        "consent", step_id="best_start", agency="msd", service="best-start", detail="decline"
    )
    for entry in [*reversed(story), quiet, elsewhere]:
        assert await store.usage.record(entry) is True
    period = (T0, T0 + timedelta(days=1))
    # The request three days before is part of the story of a step active in the period.
    told = [recorded(entry) for entry in story]
    expected = [*told[:3], recorded(elsewhere), told[3]]
    assert await store.usage.of_steps_active_between(*period) == expected
    assert await store.usage.of_steps_active_between(*period, agency="ird") == told
    assert await store.usage.of_steps_active_between(*period, agency="bdm") == []
    # The bound: from `since` inclusive, to `until` exclusive, in any time zone given.
    zone = datetime(2026, 11, 1, tzinfo=UTC).astimezone().tzinfo
    at_the_end = T0 + timedelta(hours=2)
    assert await store.usage.of_steps_active_between(T0 + timedelta(hours=1), at_the_end) == []
    assert (
        await store.usage.of_steps_active_between(
            at_the_end.astimezone(zone), at_the_end + timedelta(microseconds=1), agency="ird"
        )
        == told
    )


def test_the_reports_percentiles_are_postgresqls_percentile_cont(postgres_url: str):
    draw = random.Random(4819)
    samples = [[draw.expovariate(1 / 600) for _ in range(n)] for n in (1, 2, 3, 20, 101, 997)]
    shares = [0.0, 0.05, 0.5, 0.95, 1.0]
    with psycopg.connect(postgres_url) as connection:
        for values in samples:
            row = connection.execute(
                "SELECT percentile_cont(%s::float8[]) WITHIN GROUP (ORDER BY v)"
                " FROM unnest(%s::float8[]) AS v",
                (shares, values),
            ).fetchone()
            assert row is not None
            ours = [percentile(values, share) for share in shares]
            assert ours == pytest.approx(row[0], rel=1e-12)
