"""What every implementation of the batch exchange's queue promises, on SQLite and PostgreSQL
alike: an item kept once per key, taken into one file only however many runs take at once
through however many opened stores, a file and an acknowledgement each recorded once, and an
item decided once, and only while it is out in a file."""

import asyncio
from datetime import UTC, datetime, timedelta

from onceonly.domain.batch import BatchFile, BatchItem, ItemOutcome, batch_item_id
from onceonly.store import Store

T0 = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


def item(n: int, at: datetime = T0, agency: str = "justice") -> BatchItem:
    key = f"move-{n:032x}/update_fines_address"
    return BatchItem(
        item_id=batch_item_id(key),
        agency=agency,
        service="fines-address-update",
        idempotency_key=key,
        record={"SUBMISSION_REF": key, "SURNAME": "Tūhoe-Synthetic", "GIVEN_NAMES": f"Mere {n}"},
        queued_at=at,
    )


def accepted(n: int, reference: str = "CR-000001") -> ItemOutcome:
    return ItemOutcome(
        idempotency_key=item(n).idempotency_key, outcome="accepted", agency_reference=reference
    )


async def test_an_item_is_kept_once_per_key_with_its_record(store: Store, other_store: Store):
    first = await store.batch.queue(item(1))
    again = await other_store.batch.queue(item(1).model_copy(update={"record": {"x": "y"}}))
    assert again == first
    assert first.record["SURNAME"] == "Tūhoe-Synthetic"
    assert first.state == "queued"
    assert await other_store.batch.get(first.item_id) == first
    assert await store.batch.get("B-NOSUCHITEM0") is None


async def test_a_file_takes_the_items_queued_before_its_end_only(store: Store):
    for n, at in enumerate([T0, T0 + timedelta(hours=5), T0 + timedelta(days=1)]):
        await store.batch.queue(item(n, at))
    await store.batch.queue(item(9, agency="other"))
    taken = await store.batch.take_for_file(
        "justice", "justice-2026-12-07.csv", T0 + timedelta(days=1)
    )
    assert [i.idempotency_key for i in taken] == [item(0).idempotency_key, item(1).idempotency_key]
    assert {i.state for i in taken} == {"sent"}
    assert {i.file_name for i in taken} == {"justice-2026-12-07.csv"}
    # Taken again (a re-run): the same items, nothing more.
    assert (
        await store.batch.take_for_file("justice", "justice-2026-12-07.csv", T0 + timedelta(days=1))
        == taken
    )
    later = await store.batch.take_for_file(
        "justice", "justice-2026-12-08.csv", T0 + timedelta(days=2)
    )
    assert [i.idempotency_key for i in later] == [item(2).idempotency_key]


async def test_of_two_runs_taking_at_once_each_item_goes_in_one_file(
    store: Store, other_store: Store
):
    for n in range(20):
        await store.batch.queue(item(n))
    end = T0 + timedelta(days=1)
    first, second = await asyncio.gather(
        store.batch.take_for_file("justice", "justice-a.csv", end),
        other_store.batch.take_for_file("justice", "justice-b.csv", end),
    )
    keys = [i.item_id for i in first] + [i.item_id for i in second]
    assert sorted(keys) == sorted(item(n).item_id for n in range(20))


async def test_a_file_is_recorded_once_and_files_taken_but_unrecorded_are_found(store: Store):
    await store.batch.queue(item(1))
    await store.batch.take_for_file("justice", "justice-2026-12-07.csv", T0 + timedelta(days=1))
    assert await store.batch.unrecorded_files("justice") == ["justice-2026-12-07.csv"]
    sent = BatchFile(
        name="justice-2026-12-07.csv",
        agency="justice",
        period="2026-12-07",
        sha256="a" * 64,
        records=1,
        created_at=T0,
    )
    assert await store.batch.record_file(sent) == sent
    later = sent.model_copy(update={"sha256": "b" * 64, "created_at": T0 + timedelta(hours=1)})
    assert await store.batch.record_file(later) == sent
    assert await store.batch.file(sent.name) == sent
    assert await store.batch.unrecorded_files("justice") == []
    assert await store.batch.file("justice-nothing.csv") is None


async def test_an_acknowledgement_is_applied_by_one_run_unless_released(
    store: Store, other_store: Store
):
    claims = await asyncio.gather(
        *(
            (store if n % 2 else other_store).batch.claim_acknowledgement(
                "justice", "justice-2026-12-07.ack.csv", "c" * 64, 3, T0
            )
            for n in range(6)
        )
    )
    assert sorted(claims) == [False] * 5 + [True]
    await store.batch.release_acknowledgement("c" * 64)
    assert await other_store.batch.claim_acknowledgement("justice", "x", "c" * 64, 3, T0)


async def test_an_item_is_decided_once_and_only_while_it_is_out(store: Store, other_store: Store):
    await store.batch.queue(item(1))
    await store.batch.queue(item(2))
    # Not sent yet: an acknowledgement cannot decide it.
    assert await store.batch.decide("justice", accepted(1), T0) is None
    await store.batch.take_for_file("justice", "justice-2026-12-07.csv", T0 + timedelta(days=1))
    decided = await store.batch.decide("justice", accepted(1, "CR-000042"), T0 + timedelta(days=1))
    assert decided is not None
    assert (decided.state, decided.agency_reference) == ("accepted", "CR-000042")
    # The same line again, or another agency's claim to it, changes nothing.
    assert await other_store.batch.decide("justice", accepted(1, "CR-000099"), T0) is None
    assert await store.batch.decide("other", accepted(2), T0) is None
    refused = ItemOutcome(
        idempotency_key=item(2).idempotency_key, outcome="rejected", reason="no record"
    )
    decided = await other_store.batch.decide("justice", refused, T0 + timedelta(days=1))
    assert decided is not None
    assert (decided.state, decided.reason, decided.agency_reference) == (
        "rejected",
        "no record",
        None,
    )
    assert (await store.batch.get(item(1).item_id)).agency_reference == "CR-000042"  # type: ignore[union-attr]
