"""The batch exchange's queue in the embedded store (see onceonly.domain.batch)."""

import sqlite3
from datetime import datetime
from typing import Any

from onceonly.domain.batch import BatchFile, BatchItem, ItemOutcome, batch_item_id
from onceonly.store.batch_rows import (
    FILE_COLUMNS,
    ITEM_COLUMNS,
    ITEM_TIMES,
    item_row,
    row_file,
    row_item,
)
from onceonly.store.sealing import Sealer
from onceonly.store.sqlite import SqliteDatabase, utc_text

_NAMES = ITEM_COLUMNS.split(", ")
_INSERT_ITEM = (
    f"INSERT INTO batch_items ({ITEM_COLUMNS}) VALUES ({', '.join('?' * len(_NAMES))})"  # noqa: S608
    " ON CONFLICT (item_id) DO NOTHING"
)
_SELECT_ITEMS = f"SELECT {ITEM_COLUMNS} FROM batch_items"  # noqa: S608
_SELECT_FILE = f"SELECT {FILE_COLUMNS} FROM batch_files WHERE name = ?"  # noqa: S608


class SqliteBatchQueue:
    """The batch queue kept in `database`, records sealed by `sealer`."""

    def __init__(self, database: SqliteDatabase, sealer: Sealer) -> None:
        self._database = database
        self._sealer = sealer

    async def queue(self, item: BatchItem) -> BatchItem:
        """Keep `item` unless its id is kept already: the kept one."""
        row = item_row(item, self._sealer)
        values = tuple(utc_text(row[n]) if n in ITEM_TIMES else row[n] for n in _NAMES)
        await self._database.run(self._write, _INSERT_ITEM, values)
        kept = await self.get(item.item_id)
        assert kept is not None  # just written, and never deleted
        return kept

    async def get(self, item_id: str) -> BatchItem | None:
        """The item, whatever its state."""
        rows = await self._items(f"{_SELECT_ITEMS} WHERE item_id = ?", (item_id,))
        return rows[0] if rows else None

    async def take_for_file(self, agency: str, file_name: str, before: datetime) -> list[BatchItem]:
        """Mark the agency's queued items before `before` sent in `file_name`; its items."""
        await self._database.run(
            self._write,
            "UPDATE batch_items SET state = 'sent', file_name = ?"
            " WHERE agency = ? AND state = 'queued' AND queued_at < ?",
            (file_name, agency, utc_text(before)),
        )
        return await self.in_file(file_name)

    async def in_file(self, file_name: str) -> list[BatchItem]:
        """The items sent in `file_name`, in queued order."""
        return await self._items(f"{_SELECT_ITEMS} WHERE file_name = ? ORDER BY id", (file_name,))

    async def unrecorded_files(self, agency: str) -> list[str]:
        """Files items were taken for but never recorded as written."""
        rows = await self._database.run(
            self._read,
            "SELECT DISTINCT file_name FROM batch_items WHERE agency = ? AND file_name IS NOT"
            " NULL AND file_name NOT IN (SELECT name FROM batch_files) ORDER BY file_name",
            (agency,),
        )
        return [row[0] for row in rows]

    async def record_file(self, file: BatchFile) -> BatchFile:
        """Keep `file` unless its name is kept already: the kept one."""
        values = (file.name, file.agency, file.period, file.sha256, file.records)
        await self._database.run(
            self._write,
            f"INSERT INTO batch_files ({FILE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"  # noqa: S608
            " ON CONFLICT (name) DO NOTHING",
            (*values, utc_text(file.created_at)),
        )
        kept = await self.file(file.name)
        assert kept is not None
        return kept

    async def file(self, name: str) -> BatchFile | None:
        """The file sent under `name`, if any."""
        rows = await self._database.run(self._read, _SELECT_FILE, (name,))
        return row_file(rows[0]) if rows else None

    async def claim_acknowledgement(
        self, agency: str, name: str, sha256: str, records: int, at: datetime
    ) -> bool:
        """Note the acknowledgement applied: True for the one run that applies it."""
        return bool(
            await self._database.run(
                self._write,
                "INSERT INTO batch_acknowledgements VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (sha256) DO NOTHING",
                (sha256, agency, name, records, utc_text(at)),
            )
        )

    async def release_acknowledgement(self, sha256: str) -> None:
        """Forget the claim: the next run applies the acknowledgement."""
        await self._database.run(
            self._write, "DELETE FROM batch_acknowledgements WHERE sha256 = ?", (sha256,)
        )

    async def decide(self, agency: str, outcome: ItemOutcome, at: datetime) -> BatchItem | None:
        """Decide the item if it is still `sent`: the decided item, else None."""
        item_id = batch_item_id(outcome.idempotency_key)
        changed = await self._database.run(
            self._write,
            "UPDATE batch_items SET state = ?, agency_reference = ?, reason = ?, decided_at = ?"
            " WHERE item_id = ? AND agency = ? AND idempotency_key = ? AND state = 'sent'",
            (
                outcome.outcome,
                outcome.agency_reference,
                outcome.reason,
                utc_text(at),
                item_id,
                agency,
                outcome.idempotency_key,
            ),
        )
        return await self.get(item_id) if changed else None

    async def _items(self, query: str, args: tuple[Any, ...]) -> list[BatchItem]:
        rows = await self._database.run(self._read, query, args)
        return [row_item(dict(zip(_NAMES, row, strict=True)), self._sealer) for row in rows]

    def _write(self, connection: sqlite3.Connection, query: str, args: tuple[Any, ...]) -> int:
        with self._database.writing:
            return connection.execute(query, args).rowcount

    @staticmethod
    def _read(
        connection: sqlite3.Connection, query: str, args: tuple[Any, ...]
    ) -> list[tuple[Any, ...]]:
        return connection.execute(query, args).fetchall()
