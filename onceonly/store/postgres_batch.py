"""The batch exchange's queue in the shared PostgreSQL store (see onceonly.domain.batch):
every worker queues into it and any run of the exchange, on any worker, sends and decides."""

from datetime import datetime
from typing import Any

from onceonly.domain.batch import BatchFile, BatchItem, ItemOutcome, batch_item_id
from onceonly.store.batch_rows import FILE_COLUMNS, ITEM_COLUMNS, item_row, row_file, row_item
from onceonly.store.postgres import PostgresDatabase
from onceonly.store.sealing import Sealer

_NAMES = ITEM_COLUMNS.split(", ")
_INSERT_ITEM = (
    f"INSERT INTO batch_items ({ITEM_COLUMNS})"  # noqa: S608
    f" VALUES ({', '.join('%s' for _ in _NAMES)}) ON CONFLICT (item_id) DO NOTHING"
)
_SELECT_ITEMS = f"SELECT {ITEM_COLUMNS} FROM batch_items"  # noqa: S608
_SELECT_FILE = f"SELECT {FILE_COLUMNS} FROM batch_files WHERE name = %s"  # noqa: S608


class PostgresBatchQueue:
    """The batch queue kept in `database`, records sealed by `sealer`."""

    def __init__(self, database: PostgresDatabase, sealer: Sealer) -> None:
        self._pool = database.pool
        self._sealer = sealer

    async def queue(self, item: BatchItem) -> BatchItem:
        """Keep `item` unless its id is kept already: the kept one."""
        row = item_row(item, self._sealer)
        await self._write(_INSERT_ITEM, tuple(row[name] for name in _NAMES))
        kept = await self.get(item.item_id)
        assert kept is not None  # just written, and never deleted
        return kept

    async def get(self, item_id: str) -> BatchItem | None:
        """The item, whatever its state."""
        rows = await self._items(f"{_SELECT_ITEMS} WHERE item_id = %s", (item_id,))
        return rows[0] if rows else None

    async def take_for_file(self, agency: str, file_name: str, before: datetime) -> list[BatchItem]:
        """Mark the agency's queued items before `before` sent in `file_name`; its items."""
        await self._write(
            "UPDATE batch_items SET state = 'sent', file_name = %s"
            " WHERE agency = %s AND state = 'queued' AND queued_at < %s",
            (file_name, agency, before),
        )
        return await self.in_file(file_name)

    async def in_file(self, file_name: str) -> list[BatchItem]:
        """The items sent in `file_name`, in queued order."""
        return await self._items(f"{_SELECT_ITEMS} WHERE file_name = %s ORDER BY id", (file_name,))

    async def unrecorded_files(self, agency: str) -> list[str]:
        """Files items were taken for but never recorded as written."""
        rows = await self._rows(
            "SELECT DISTINCT file_name FROM batch_items WHERE agency = %s AND file_name IS NOT"
            " NULL AND file_name NOT IN (SELECT name FROM batch_files) ORDER BY file_name",
            (agency,),
        )
        return [row[0] for row in rows]

    async def record_file(self, file: BatchFile) -> BatchFile:
        """Keep `file` unless its name is kept already: the kept one."""
        values = (file.name, file.agency, file.period, file.sha256, file.records, file.created_at)
        await self._write(
            f"INSERT INTO batch_files ({FILE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
            " ON CONFLICT (name) DO NOTHING",
            values,
        )
        kept = await self.file(file.name)
        assert kept is not None
        return kept

    async def file(self, name: str) -> BatchFile | None:
        """The file sent under `name`, if any."""
        rows = await self._rows(_SELECT_FILE, (name,))
        return row_file(rows[0]) if rows else None

    async def claim_acknowledgement(
        self, agency: str, name: str, sha256: str, records: int, at: datetime
    ) -> bool:
        """Note the acknowledgement applied: True for the one run that applies it."""
        changed = await self._write(
            "INSERT INTO batch_acknowledgements VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (sha256) DO NOTHING",
            (sha256, agency, name, records, at),
        )
        return changed == 1

    async def release_acknowledgement(self, sha256: str) -> None:
        """Forget the claim: the next run applies the acknowledgement."""
        await self._write("DELETE FROM batch_acknowledgements WHERE sha256 = %s", (sha256,))

    async def decide(self, agency: str, outcome: ItemOutcome, at: datetime) -> BatchItem | None:
        """Decide the item if it is still `sent`: the decided item, else None."""
        item_id = batch_item_id(outcome.idempotency_key)
        changed = await self._write(
            "UPDATE batch_items SET state = %s, agency_reference = %s, reason = %s,"
            " decided_at = %s WHERE item_id = %s AND agency = %s AND idempotency_key = %s"
            " AND state = 'sent'",
            (
                outcome.outcome,
                outcome.agency_reference,
                outcome.reason,
                at,
                item_id,
                agency,
                outcome.idempotency_key,
            ),
        )
        return await self.get(item_id) if changed else None

    async def _items(self, query: str, args: tuple[Any, ...]) -> list[BatchItem]:
        rows = await self._rows(query, args)
        return [row_item(dict(zip(_NAMES, row, strict=True)), self._sealer) for row in rows]

    async def _write(self, query: str, args: tuple[Any, ...]) -> int:
        async with self._pool.connection() as connection:
            cursor = await connection.execute(query, args)
            return cursor.rowcount

    async def _rows(self, query: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        async with self._pool.connection() as connection:
            cursor = await connection.execute(query, args)
            return await cursor.fetchall()
