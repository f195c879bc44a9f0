"""The events each party joined, on SQLite and on PostgreSQL alike: one row per party and
event however often it is written, newest first, each party's own only."""

import asyncio
from datetime import UTC, datetime, timedelta

from onceonly.parties import JoinedParty
from onceonly.store import Store

T0 = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
PARTY = "p" * 64


def joined(event: str, minutes: int = 0, party: str = PARTY) -> JoinedParty:
    return JoinedParty(
        party_key=party,
        event_id=f"birth-{event * 32}",
        role="other_parent",
        joined_at=T0 + timedelta(minutes=minutes),
    )


async def test_a_party_is_kept_once_per_event_however_many_write_it(
    store: Store, other_store: Store
):
    writes = await asyncio.gather(
        *((store if n % 2 else other_store).parties.record(joined("a", n)) for n in range(8))
    )
    assert sorted(writes) == [False] * 7 + [True]
    [kept] = await other_store.parties.joined_by(PARTY)
    assert kept.event_id == f"birth-{'a' * 32}" and kept.role == "other_parent"


async def test_a_partys_events_come_newest_first_at_most_the_limit_and_only_theirs(store: Store):
    for n, event in enumerate("abc"):
        await store.parties.record(joined(event, n))
    await store.parties.record(joined("d", 9, party="q" * 64))
    events = [row.event_id[-1] for row in await store.parties.joined_by(PARTY)]
    assert events == ["c", "b", "a"]
    assert [row.event_id[-1] for row in await store.parties.joined_by(PARTY, limit=2)] == [
        "c",
        "b",
    ]
    assert await store.parties.joined_by("r" * 64) == []
    assert (await store.parties.joined_by(PARTY))[0].joined_at == T0 + timedelta(minutes=2)
