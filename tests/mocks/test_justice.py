"""The Collections mock, which takes a daily file: it checks a file onceonly's exchange wrote
against its manifest and each line against its own format, keeps each record, and writes one
acknowledgement per file (with its manifest), however often the file is delivered; a line
not in its format is rejected naming the column and rule, a file unlike its manifest is
refused whole."""

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from activities.batch_exchange import BatchExchange, batch_formats
from adapters.justice import JusticeAdapter
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.domain.batch_files import (
    MANIFEST_SUFFIX,
    checksum,
    parse_manifest,
    read_acknowledgement,
)
from onceonly.domain.catalogue import MOVE
from onceonly.settings import Settings
from onceonly.store import Store, opened_store
from tests.mocks.samples import disclose, sample_move

PERIOD = timedelta(seconds=5)
SERVICE = MOVE.step("update_fines_address").service


@pytest.fixture
async def store(settings: Settings, tmp_path: Path) -> AsyncIterator[Store]:
    async with opened_store(settings.model_copy(update={"store_path": tmp_path / "s.db"})) as s:
        yield s


@pytest.fixture
def exchange(store: Store, tmp_path: Path) -> BatchExchange:
    adapters = {"justice": JusticeAdapter(queue=store.batch)}
    return BatchExchange(batch_formats(adapters), store.batch, tmp_path / "batch", PERIOD)


@pytest.fixture
async def mock(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The mocks, taking files only when told to scan (the loop's pace is an hour)."""
    environ = {"MOCK_BATCH_DIR": str(tmp_path / "batch"), "MOCK_BATCH_POLL_SECONDS": "3600"}
    app = create_app(tmp_path / "agencies.db", environ=environ)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://mocks", headers=admin_headers()
        ) as client,
    ):
        yield client


async def sent_file(store: Store, exchange: BatchExchange, *records: dict[str, Any]) -> str:
    adapter = JusticeAdapter(queue=store.batch)
    for n, changes in enumerate(records):
        disclosure = {**disclose("update_fines_address", sample_move(), MOVE), **changes}
        await adapter.submit(SERVICE, disclosure, f"move-{n}/update_fines_address")
    [name] = (await exchange.export("justice", datetime.now(UTC) + PERIOD)).files
    return name


async def scan(mock: httpx.AsyncClient) -> list[str]:
    answer = await mock.post("/justice/_batch/scan")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["taken"])


def acknowledgements(exchange: BatchExchange) -> list[Path]:
    return sorted(exchange.from_agency("justice").glob(f"*{MANIFEST_SUFFIX}"))


async def test_a_file_is_kept_and_acknowledged_once_however_often_delivered(
    store: Store, exchange: BatchExchange, mock: httpx.AsyncClient
):
    name = await sent_file(store, exchange, {}, {})
    assert await scan(mock) == [name]
    assert not (exchange.to_agency("justice") / name).exists()  # picked up
    [manifest_path] = acknowledgements(exchange)
    manifest = parse_manifest(manifest_path.read_bytes(), manifest_path.name)
    assert (manifest.acknowledges, manifest.records) == (name, 2)
    content = (manifest_path.parent / manifest.file).read_bytes()
    outcomes = read_acknowledgement(content, manifest, JusticeAdapter.batch_format)
    assert [(o.outcome, o.agency_reference) for o in outcomes] == [
        ("accepted", "CR-000001"),
        ("accepted", "CR-000002"),
    ]
    held = (await mock.get("/justice/_records")).json()
    assert [r["idempotency_key"] for r in held["records"]] == [o.idempotency_key for o in outcomes]
    first = held["records"][0]
    assert first["received"] == JusticeAdapter().record(
        SERVICE, disclose("update_fines_address", sample_move(), MOVE)
    )
    # Delivered again: noted, not acknowledged again, nothing more kept.
    manifest_path.unlink()
    await exchange.redeliver("justice", name)
    assert await scan(mock) == [name]
    assert acknowledgements(exchange) == []
    again = (await mock.get("/justice/_records")).json()
    assert again["records"] == held["records"]
    assert [(f["name"], f["deliveries"]) for f in again["files"]] == [(name, 2)]


async def test_a_line_not_in_collections_format_is_rejected_naming_the_column(
    store: Store, exchange: BatchExchange, mock: httpx.AsyncClient
):
    name = await sent_file(store, exchange, {}, {})
    path = exchange.to_agency("justice") / name
    rows = list(csv.DictReader(io.StringIO(path.read_text(), newline="")))
    rows[1]["DATE_OF_BIRTH"] = "1988-05-20"
    rows[1]["POSTCODE"] = "601"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue())
    manifest_path = path.with_name(f"{name}{MANIFEST_SUFFIX}")
    manifest = json.loads(manifest_path.read_text())
    manifest["sha256"] = checksum(path.read_bytes())
    manifest_path.write_text(json.dumps(manifest))
    await scan(mock)
    [ack_manifest] = acknowledgements(exchange)
    parsed = parse_manifest(ack_manifest.read_bytes(), ack_manifest.name)
    content = (ack_manifest.parent / parsed.file).read_bytes()
    first, second = read_acknowledgement(content, parsed, JusticeAdapter.batch_format)
    assert first.outcome == "accepted"
    assert second.outcome == "rejected"
    assert second.reason == (
        "DATE_OF_BIRTH: must be a date written DD/MM/YYYY; POSTCODE: must be four digits"
    )


async def test_a_file_unlike_its_manifest_is_refused_whole(
    store: Store, exchange: BatchExchange, mock: httpx.AsyncClient
):
    name = await sent_file(store, exchange, {})
    path = exchange.to_agency("justice") / name
    path.write_bytes(path.read_bytes() + b"extra,line\r\n")
    await scan(mock)
    assert acknowledgements(exchange) == []
    refusal = json.loads((exchange.from_agency("justice") / f"{name}.refused.json").read_text())
    assert refusal == {"file": name, "reason": "sha256 does not match the manifest's"}
    assert (await mock.get("/justice/_records")).json()["records"] == []


async def test_while_told_to_reject_collections_rejects_every_valid_line_with_its_reason(
    store: Store, exchange: BatchExchange, mock: httpx.AsyncClient
):
    turned = await mock.put("/justice/_batch", json={"rejects": True})
    assert turned.json() == {"knobs": {"rejects": True}}
    refused = await mock.put("/justice/_batch", json={"rejects": "sometimes", "x": 1})
    assert refused.status_code == 422
    await sent_file(store, exchange, {})
    await scan(mock)
    [ack_manifest] = acknowledgements(exchange)
    parsed = parse_manifest(ack_manifest.read_bytes(), ack_manifest.name)
    content = (ack_manifest.parent / parsed.file).read_bytes()
    [outcome] = read_acknowledgement(content, parsed, JusticeAdapter.batch_format)
    assert outcome.reason == "Collections holds no record matching this name and date of birth"
    assert (await mock.get("/justice/_batch", headers={"X-Admin-Key": "wrong"})).status_code == 401
