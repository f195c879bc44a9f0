"""The event fingerprints (a birth told twice is caught), on SQLite and PostgreSQL alike: of
many claims of one fingerprint at once, through two opened stores (two API replicas),
exactly one holds it; an ended holder's claim is taken over by one caller only."""

import asyncio
from datetime import UTC, datetime, timedelta

from onceonly.store import Store

T0 = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
PRINT = "f" * 64


def event(n: int) -> str:
    return f"birth-{n:032x}"


async def test_the_first_claim_holds_and_later_ones_read_it(store: Store, other_store: Store):
    first = await store.fingerprints.claim(PRINT, event(1), T0)
    assert (first.event_id, first.claimed_at) == (event(1), T0)
    later = await other_store.fingerprints.claim(PRINT, event(2), T0 + timedelta(minutes=1))
    assert (later.event_id, later.claimed_at) == (event(1), T0)  # read back in UTC, exactly
    again = await store.fingerprints.claim(PRINT, event(1), T0 + timedelta(minutes=2))
    assert again.event_id == event(1)  # the holder's own repeat (an Idempotency-Key retry)
    other = await store.fingerprints.claim("e" * 64, event(3), T0)
    assert other.event_id == event(3)


async def test_of_many_claims_at_once_across_replicas_exactly_one_holds(
    store: Store, other_store: Store
):
    claims = await asyncio.gather(
        *(
            (store if n % 2 else other_store).fingerprints.claim(PRINT, event(n), T0)
            for n in range(20)
        )
    )
    holders = {claim.event_id for claim in claims}
    assert len(holders) == 1
    [holder] = holders
    assert [claim.event_id == event(n) for n, claim in enumerate(claims)].count(True) == 1
    assert (await store.fingerprints.claim(PRINT, event(99), T0)).event_id == holder


async def test_an_ended_holder_is_taken_over_by_one_caller_only(store: Store, other_store: Store):
    await store.fingerprints.claim(PRINT, event(1), T0)
    later = T0 + timedelta(days=40)
    moved = await asyncio.gather(
        *(
            (store if n % 2 else other_store).fingerprints.take_over(
                PRINT, event(1), event(n), later
            )
            for n in range(2, 12)
        )
    )
    assert moved.count(True) == 1
    winner = event(2 + moved.index(True))
    standing = await other_store.fingerprints.claim(PRINT, event(50), later)
    assert (standing.event_id, standing.claimed_at) == (winner, later)
    assert not await store.fingerprints.take_over(PRINT, event(1), event(60), later)


async def test_a_release_lets_go_only_of_the_releasers_own_claim(store: Store, other_store: Store):
    await store.fingerprints.claim(PRINT, event(1), T0)
    await other_store.fingerprints.release(PRINT, event(2))  # not the holder: nothing changes
    assert (await store.fingerprints.claim(PRINT, event(3), T0)).event_id == event(1)
    await other_store.fingerprints.release(PRINT, event(1))
    assert (await store.fingerprints.claim(PRINT, event(3), T0)).event_id == event(3)
