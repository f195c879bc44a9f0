"""The batch exchange on a real store (the embedded SQLite file) and a real directory: the
justice adapter queues, the exchange sends a period's file once with its manifest, writes it
again byte for byte when asked, and applies Collections' acknowledgement once; a damaged
acknowledgement is refused whole with its reason, and nothing in it is applied."""

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.batch_exchange import BatchExchange, batch_formats
from adapters.base import ServiceNotOffered
from adapters.justice import JusticeAdapter
from onceonly.domain.batch import BatchItem
from onceonly.domain.batch_files import checksum
from onceonly.domain.catalogue import MOVE
from onceonly.settings import Settings
from onceonly.store import Store, opened_store
from tests.mocks.samples import disclose, sample_move

PERIOD = timedelta(seconds=5)
SERVICE = MOVE.step("update_fines_address").service
DISCLOSURE = disclose("update_fines_address", sample_move(), MOVE)


@pytest.fixture
async def store(settings: Settings, tmp_path: Path) -> AsyncIterator[Store]:
    async with opened_store(settings.model_copy(update={"store_path": tmp_path / "s.db"})) as s:
        yield s


@pytest.fixture
def exchange(store: Store, tmp_path: Path) -> BatchExchange:
    adapters = {"justice": JusticeAdapter(queue=store.batch)}
    return BatchExchange(batch_formats(adapters), store.batch, tmp_path / "batch", PERIOD)


class Woken(list[BatchItem]):
    """The items whose steps the exchange woke (the real waker is the stack's: integration)."""

    async def __call__(self, item: BatchItem) -> bool:
        self.append(item)
        return True


async def submitted(store: Store, *events: str) -> list[str]:
    adapter = JusticeAdapter(queue=store.batch)
    answers = [
        await adapter.submit(SERVICE, DISCLOSURE, f"{event}/update_fines_address")
        for event in events
    ]
    assert all(a.pending and a.follow_up == "callback" for a in answers)
    return [a.reference for a in answers]


def acknowledge(exchange: BatchExchange, sent: str, lines: list[tuple[str, ...]]) -> Path:
    """Collections' acknowledgement of `sent`, dropped with its manifest."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([("SUBMISSION_REF", "RESULT", "COLLECTIONS_REF", "REASON"), *lines])
    content = out.getvalue().encode()
    folder = exchange.from_agency("justice")
    folder.mkdir(parents=True, exist_ok=True)
    name = sent.replace(".csv", ".ack.csv")
    (folder / name).write_bytes(content)
    manifest = {
        "agency": "justice", "file": name, "format": "csv", "records": len(lines),
        "sha256": checksum(content), "created_at": "2026-12-07T00:00:10Z", "acknowledges": sent,
    }  # fmt: skip
    (folder / f"{name}.manifest.json").write_text(json.dumps(manifest))
    return folder / name


async def test_a_period_is_sent_once_in_one_file_with_its_manifest(
    store: Store, exchange: BatchExchange
):
    first, second = await submitted(store, "move-a", "move-b")
    # Submitted again (a retried activity): the same item, not a second one.
    assert await submitted(store, "move-a") == [first]
    now = datetime.now(UTC)
    nothing = await exchange.export("justice", now)
    assert nothing.files == []  # the period they were queued in has not ended
    report = await exchange.export("justice", now + PERIOD)
    [name] = report.files
    folder = exchange.to_agency("justice")
    content = (folder / name).read_bytes()
    manifest = json.loads((folder / f"{name}.manifest.json").read_text())
    rows = list(csv.DictReader(io.StringIO(content.decode(), newline="")))
    assert [row["SUBMISSION_REF"] for row in rows] == ["move-a/update_fines_address",
                                                        "move-b/update_fines_address"]  # fmt: skip
    assert rows[0]["DATE_OF_BIRTH"] == "20/05/1988"
    assert manifest["sha256"] == checksum(content)
    assert (manifest["agency"], manifest["records"], manifest["format"]) == ("justice", 2, "csv")
    assert name == f"justice-{manifest['period']}.csv"
    assert not list(folder.glob(".*.tmp"))
    # The same period's run again sends nothing new; a later period has nothing to send.
    assert (await exchange.export("justice", now + PERIOD)).files == []
    assert (await exchange.export("justice", now + 3 * PERIOD)).files == []
    assert {(await store.batch.get(ref)).file_name for ref in (first, second)} == {name}  # type: ignore[union-attr]


async def test_a_file_delivered_again_is_the_same_bytes(store: Store, exchange: BatchExchange):
    await submitted(store, "move-a")
    [name] = (await exchange.export("justice", datetime.now(UTC) + PERIOD)).files
    path = exchange.to_agency("justice") / name
    sent = path.read_bytes()
    manifest = path.with_name(f"{name}.manifest.json").read_bytes()
    path.unlink()  # taken by the agency, then lost
    again = await exchange.redeliver("justice", name)
    assert again.files == [name]
    assert path.read_bytes() == sent
    assert path.with_name(f"{name}.manifest.json").read_bytes() == manifest
    with pytest.raises(ApplicationError, match=r"justice was sent no file 'justice-never\.csv'"):
        await exchange.redeliver("justice", "justice-never.csv")


async def test_an_acknowledgement_decides_each_item_once_and_wakes_its_step(
    store: Store, exchange: BatchExchange
):
    first, second = await submitted(store, "move-a", "move-b")
    [name] = (await exchange.export("justice", datetime.now(UTC) + PERIOD)).files
    adapter = JusticeAdapter(queue=store.batch)
    assert (await adapter.status(SERVICE, first)).state == "pending"
    ack = acknowledge(exchange, name, [
        ("move-a/update_fines_address", "ACCEPTED", "CR-000007", ""),
        ("move-b/update_fines_address", "REJECTED", "", "no record matches"),
    ])  # fmt: skip
    woken = Woken()
    report = await exchange.acknowledge("justice", woken)
    assert (report.files, report.items, report.woken) == ([ack.name], 2, 2)
    assert [item.item_id for item in woken] == [first, second]
    accepted = await adapter.status(SERVICE, first)
    assert (accepted.state, accepted.reference) == ("completed", "CR-000007")
    rejected = await adapter.status(SERVICE, second)
    assert (rejected.state, rejected.message) == ("rejected", "no record matches")
    done = ack.parent / "done"
    assert sorted(p.name for p in done.iterdir()) == [ack.name, f"{ack.name}.manifest.json"]
    # Delivered again (copied back): recognised by its checksum, nothing changes.
    before = [await store.batch.get(ref) for ref in (first, second)]
    for path in list(done.iterdir()):
        (ack.parent / path.name).write_bytes(path.read_bytes())
    again = Woken()
    report = await exchange.acknowledge("justice", again)
    assert (report.files, report.items, report.woken, again) == ([], 0, 0, [])
    assert [await store.batch.get(ref) for ref in (first, second)] == before


async def test_a_damaged_acknowledgement_is_refused_whole_with_its_reason(
    store: Store, exchange: BatchExchange
):
    [first] = await submitted(store, "move-a")
    [name] = (await exchange.export("justice", datetime.now(UTC) + PERIOD)).files
    ack = acknowledge(exchange, name, [("move-a/update_fines_address", "ACCEPTED", "CR-1", "")])
    ack.write_bytes(ack.read_bytes().replace(b"CR-1", b"CR-2"))  # changed on the way
    woken = Woken()
    report = await exchange.acknowledge("justice", woken)
    assert report.refused == [f"{ack.name}: sha256 does not match the manifest's"]
    assert (report.items, woken) == (0, [])
    assert (await store.batch.get(first)).state == "sent"  # type: ignore[union-attr]
    refused = ack.parent / "refused"
    assert (refused / f"{ack.name}.reason.txt").read_text().strip() == report.refused[0]
    assert not ack.exists()


async def test_an_adapter_built_without_the_queue_previews_but_refuses_to_submit():
    adapter = JusticeAdapter()
    preview = await adapter.preview(SERVICE, DISCLOSURE)
    assert preview["SURNAME"] == "Tūhoe-Synthetic"
    with pytest.raises(ApplicationError, match="built without the store's batch queue"):
        await adapter.submit(SERVICE, DISCLOSURE, "move-a/update_fines_address")
    with pytest.raises(ServiceNotOffered, match="Collections offers no service 'parking'"):
        await adapter.preview("parking", DISCLOSURE)


async def test_the_record_is_sealed_in_the_store(store: Store, settings: Settings, tmp_path: Path):
    await submitted(store, "move-a")
    raw = (tmp_path / "s.db").read_bytes() + (tmp_path / "s.db-wal").read_bytes()
    assert "Tūhoe".encode() not in raw
    assert b"Cuba Street" not in raw


async def test_an_item_queued_late_for_a_sent_period_goes_in_the_next_file(
    store: Store, exchange: BatchExchange
):
    [first] = await submitted(store, "move-a")
    queued = await store.batch.get(first)
    assert queued is not None
    at = datetime.now(UTC) + PERIOD
    [sent] = (await exchange.export("justice", at)).files
    # Written by a slow worker after the file went, though queued within its period.
    key = "move-late/update_fines_address"
    record = {**queued.record, "SUBMISSION_REF": key}
    late = queued.model_copy(
        update={"item_id": "B-LATE00000000", "idempotency_key": key, "record": record}
    )
    await store.batch.queue(late)
    assert (await exchange.export("justice", at)).files == []
    assert [i.item_id for i in await store.batch.in_file(sent)] == [first]
    [later] = (await exchange.export("justice", at + PERIOD)).files
    assert [i.item_id for i in await store.batch.in_file(later)] == ["B-LATE00000000"]
