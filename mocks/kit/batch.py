"""Mock agencies that take a file per period instead of calls, as some real ones do.

Such an agency watches its incoming directory (`<MOCK_BATCH_DIR>/<agency>/to-agency/`) for a
file with its manifest (`<file>.manifest.json`, written last, so a file without one is left
alone). It checks the file against the manifest (agency, format, record count, SHA-256) and
each record against its own format, keeps each record (as the other mocks do, under the
record's reference, listed by `_records`), and writes an acknowledgement beside a manifest
of its own into `<agency>/from-agency/`: per record, accepted with its reference or rejected
with the field and rule it broke. A file that does not match its manifest is refused whole
(`<file>.refused.json` with the reason). It takes each file once: the same file delivered
again (same name, same checksum) is noted and not acknowledged again. Files it took are
removed from the drop, as an SFTP pick-up does.
"""

import asyncio
import contextlib
import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, ValidationError

from mocks.kit.admin import admin_gate
from mocks.kit.agency import problems_from
from mocks.kit.store import NextNumber, Record, Store

MANIFEST = ".manifest.json"
BATCH_DIR_ENV = "MOCK_BATCH_DIR"
POLL_ENV = "MOCK_BATCH_POLL_SECONDS"
DEFAULT_POLL_SECONDS = 0.5
_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_files_taken (
    agency TEXT NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    acknowledgement TEXT,
    deliveries INTEGER NOT NULL,
    taken_at TEXT NOT NULL,
    PRIMARY KEY (agency, name)
)
"""


@dataclass(frozen=True)
class MockBatchAgency:
    """A mock agency reached by file: its name, its record schema (one model per line, by
    the file's column names), and the acknowledgement it writes."""

    name: str
    record: type[BaseModel]
    reference: str
    """The record's column quoting the sender's reference, which the acknowledgement repeats."""
    accept: Callable[[BaseModel, NextNumber], str]
    """Keeps a valid record: the agency's own reference for it."""
    ack_columns: tuple[str, str, str, str]
    """The acknowledgement's columns: the sender's reference, the result, the agency's
    reference, the reason."""
    accepted: str = "ACCEPTED"
    rejected: str = "REJECTED"
    not_held: str = "no record matches this name and date of birth"
    """The reason given for every record while the `rejects` knob is on."""


class BatchKnobs(BaseModel):
    """A batch agency's knob: reject every valid record (as if it held no such person)."""

    model_config = ConfigDict(extra="forbid")

    rejects: bool = False


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _write(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    temporary.replace(path)


def _rows(content: bytes) -> list[dict[str, str]]:
    return [dict(row) for row in csv.DictReader(io.StringIO(content.decode(), newline=""))]


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


class BatchDesk:
    """One batch agency's desk: takes the files dropped for it and answers each once."""

    def __init__(self, agency: MockBatchAgency, store: Store, directory: Path) -> None:
        self.agency = agency
        self.store = store
        self.incoming = directory / agency.name / "to-agency"
        self.outgoing = directory / agency.name / "from-agency"
        self.knobs = BatchKnobs()
        with store.lock:
            store.connection().execute(_SCHEMA)

    async def scan(self) -> list[str]:
        """Take every whole file waiting (one with its manifest): the names taken now."""
        taken = []
        for manifest_path in sorted(self.incoming.glob(f"*{MANIFEST}")):
            name = manifest_path.name.removesuffix(MANIFEST)
            await self._take(name, manifest_path)
            taken.append(name)
        return taken

    async def _take(self, name: str, manifest_path: Path) -> None:
        path = self.incoming / name
        content = path.read_bytes() if path.exists() else b""
        problem = self._mismatch(name, content, manifest_path)
        if problem is not None:
            refusal = {"file": name, "reason": problem}
            self.outgoing.mkdir(parents=True, exist_ok=True)
            _write(self.outgoing / f"{name}.refused.json", json.dumps(refusal).encode())
        elif await asyncio.to_thread(self._first_delivery, name, _digest(content)):
            await self._acknowledge(name, _rows(content))
        for done in (path, manifest_path):
            with contextlib.suppress(FileNotFoundError):
                done.unlink()

    def _mismatch(self, name: str, content: bytes, manifest_path: Path) -> str | None:
        """Why the file does not match its manifest; None when it does."""
        try:
            manifest = json.loads(manifest_path.read_bytes())
            expected = (manifest["agency"], manifest["file"], manifest["format"])
            records, sha256 = int(manifest["records"]), str(manifest["sha256"])
        except (ValueError, KeyError, TypeError):
            return "the manifest must be JSON with agency, file, format, records and sha256"
        if expected != (self.agency.name, name, "csv"):
            return f"the manifest must name agency {self.agency.name}, file {name}, format csv"
        if _digest(content) != sha256:
            return "sha256 does not match the manifest's"
        try:
            count = len(_rows(content))
        except (UnicodeDecodeError, csv.Error):
            return "the file must be UTF-8 CSV with a header"
        return None if count == records else f"{count} records, the manifest says {records}"

    def _first_delivery(self, name: str, sha256: str) -> bool:
        """Note the file delivered: True the first time it is seen (name and checksum)."""
        with self.store.lock:
            connection = self.store.connection()
            changed = connection.execute(
                "UPDATE batch_files_taken SET deliveries = deliveries + 1"
                " WHERE agency = ? AND name = ? AND sha256 = ?",
                (self.agency.name, name, sha256),
            ).rowcount
            if changed:
                return False
            connection.execute(
                "INSERT OR REPLACE INTO batch_files_taken VALUES (?, ?, ?, NULL, 1, ?)",
                (self.agency.name, name, sha256, datetime.now(UTC).isoformat()),
            )
            return True

    async def _acknowledge(self, name: str, rows: list[dict[str, str]]) -> None:
        lines = [await self._answer(row) for row in rows]
        stem, _, kind = name.rpartition(".")
        ack = f"{stem}.ack.{kind}"
        content = _csv(self.agency.ack_columns, lines)
        manifest = {
            "agency": self.agency.name,
            "file": ack,
            "format": "csv",
            "records": len(lines),
            "sha256": _digest(content),
            "created_at": datetime.now(UTC).isoformat(),
            "acknowledges": name,
        }
        self.outgoing.mkdir(parents=True, exist_ok=True)
        _write(self.outgoing / ack, content)
        _write(self.outgoing / f"{ack}{MANIFEST}", json.dumps(manifest).encode())
        with self.store.lock:
            self.store.connection().execute(
                "UPDATE batch_files_taken SET acknowledgement = ? WHERE agency = ? AND name = ?",
                (ack, self.agency.name, name),
            )

    async def _answer(self, row: dict[str, str]) -> dict[str, str]:
        """One record kept and answered: accepted with a reference, or rejected with why."""
        key_column, result, reference, reason = self.agency.ack_columns
        key = row.get(self.agency.reference, "")
        received = {k: v for k, v in row.items() if k != self.agency.reference}
        try:
            parsed: BaseModel | None = self.agency.record.model_validate(row)
            refusal = self.agency.not_held if self.knobs.rejects else None
        except ValidationError as error:
            parsed = None
            refusal = "; ".join(f"{p.field}: {p.message}" for p in problems_from(error))

        def issue(next_number: NextNumber) -> tuple[int, dict[str, Any]]:
            if parsed is None or refusal is not None:
                return 422, {"reason": refusal}
            return 200, {"reference": self.agency.accept(parsed, next_number)}

        record = await self.store.record_once(self.agency.name, key, received, issue)
        accepted = record.status == 200
        return {
            key_column: key,
            result: self.agency.accepted if accepted else self.agency.rejected,
            reference: str(record.answer["reference"]) if accepted else "",
            reason: "" if accepted else str(record.answer["reason"]),
        }

    def files_taken(self) -> list[dict[str, Any]]:
        """Every file taken: its name, checksum, acknowledgement and how often delivered."""
        rows = self.store.connection().execute(
            "SELECT name, sha256, acknowledgement, deliveries, taken_at FROM batch_files_taken"
            " WHERE agency = ? ORDER BY taken_at",
            (self.agency.name,),
        )
        names = ("name", "sha256", "acknowledgement", "deliveries", "taken_at")
        return [dict(zip(names, row, strict=True)) for row in rows]


async def watch(desks: list[BatchDesk], every: float) -> None:
    """Scan every desk, every `every` seconds, until cancelled."""
    while True:
        for desk in desks:
            await desk.scan()
        await asyncio.sleep(every)


def listed(record: Record) -> dict[str, Any]:
    """A record as `_records` lists it, as every mock lists its own."""
    return {
        "idempotency_key": record.idempotency_key,
        "received": record.received,
        "status": record.status,
        "answer": record.answer,
        "recorded_at": record.recorded_at,
    }


def batch_router(desk: BatchDesk, admin_key: str | None) -> APIRouter:
    """The desk's control routes, behind the admin key (none in production): `_records`,
    `_batch` (its knob, and the files taken) and `_batch/scan` (take what waits, now)."""
    router = APIRouter(tags=[desk.agency.name])
    if admin_key is None:
        return router
    admin = [Depends(admin_gate(admin_key))]

    @router.get("/_records", summary="List the records held", dependencies=admin)
    async def list_records() -> dict[str, Any]:
        held = await desk.store.records(desk.agency.name)
        return {
            "agency": desk.agency.name,
            "records": [listed(record) for record in held],
            "withdrawals": [],
            "amendments": [],
            "files": await asyncio.to_thread(desk.files_taken),
        }

    @router.get("/_batch", summary="The batch knob and the files taken", dependencies=admin)
    async def show() -> dict[str, Any]:
        return {
            "knobs": desk.knobs.model_dump(),
            "files": await asyncio.to_thread(desk.files_taken),
        }

    @router.put("/_batch", summary="Turn the batch knob", dependencies=admin)
    async def turn(knobs: BatchKnobs) -> dict[str, Any]:
        desk.knobs = knobs
        return {"knobs": knobs.model_dump()}

    @router.post("/_batch/scan", summary="Take the files waiting now", dependencies=admin)
    async def scan() -> dict[str, Any]:
        return {"taken": await desk.scan()}

    return router
