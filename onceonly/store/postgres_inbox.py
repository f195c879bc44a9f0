"""The staff inbox in the shared PostgreSQL store (see onceonly.domain.inbox): every API
replica lists and closes the tasks every worker opened."""

from datetime import datetime, timedelta
from typing import Any, Literal

from onceonly.domain.inbox import InboxTask, TaskClosed, TaskNotFound, TaskState
from onceonly.store.inbox_rows import COLUMNS, row_task, task_row
from onceonly.store.postgres import PostgresDatabase
from onceonly.store.sealing import Sealer

_NAMES = COLUMNS.split(", ")
_INSERT = (
    f"INSERT INTO inbox_tasks ({COLUMNS})"  # noqa: S608
    f" VALUES ({', '.join('%s' for _ in _NAMES)}) ON CONFLICT (task_id) DO NOTHING"
)
_SELECT = f"SELECT {COLUMNS} FROM inbox_tasks"  # noqa: S608


class PostgresTaskInbox:
    """The inbox kept in `database`, disclosures sealed by `sealer`."""

    def __init__(self, database: PostgresDatabase, sealer: Sealer) -> None:
        self._pool = database.pool
        self._sealer = sealer

    async def open(self, task: InboxTask) -> bool:
        """Keep `task` unless its id is kept already; True when it was new."""
        row = task_row(task, self._sealer)
        return await self._write(_INSERT, tuple(row[name] for name in _NAMES)) == 1

    async def get(self, task_id: str) -> InboxTask | None:
        """The task, whatever its agency or state."""
        rows = await self._read(f"{_SELECT} WHERE task_id = %s", (task_id,))
        return rows[0] if rows else None

    async def for_agency(
        self, agency: str, state: TaskState | None = "open", limit: int = 100
    ) -> list[InboxTask]:
        """The agency's tasks in `state`: open ones by due time, closed ones newest first."""
        if state == "open":
            query = f"{_SELECT} WHERE agency = %s AND state = 'open' ORDER BY due_at, id LIMIT %s"
            args: tuple[Any, ...] = (agency, limit)
        elif state is None:
            query = f"{_SELECT} WHERE agency = %s ORDER BY id DESC LIMIT %s"
            args = (agency, limit)
        else:
            query = f"{_SELECT} WHERE agency = %s AND state = %s ORDER BY closed_at DESC LIMIT %s"
            args = (agency, state, limit)
        return await self._read(query, args)

    async def close(
        self,
        task_id: str,
        agency: str,
        outcome: Literal["completed", "rejected"],
        *,
        by: str,
        at: datetime,
        reference: str | None = None,
        reason: str | None = None,
    ) -> InboxTask:
        """Close the open task in one conditional write; TaskNotFound or TaskClosed if not."""
        changed = await self._write(
            "UPDATE inbox_tasks SET state = %s, outcome_reference = %s, reason = %s,"
            " closed_by = %s, closed_at = %s"
            " WHERE task_id = %s AND agency = %s AND state = 'open'",
            (outcome, reference, reason, by, at, task_id, agency),
        )
        task = await self.get(task_id)
        if task is None or task.agency != agency:
            raise TaskNotFound(task_id)
        if not changed:
            raise TaskClosed(task_id)
        return task

    async def overdue(
        self, now: datetime, remind_every: float, limit: int = 100
    ) -> list[InboxTask]:
        """Open tasks past due, not reminded within `remind_every` seconds."""
        return await self._read(
            f"{_SELECT} WHERE state = 'open' AND due_at <= %s"
            " AND (reminded_at IS NULL OR reminded_at <= %s) ORDER BY due_at, id LIMIT %s",
            (now, now - timedelta(seconds=remind_every), limit),
        )

    async def claim_reminder(self, task_id: str, previous: datetime | None, at: datetime) -> bool:
        """Mark the task reminded at `at` if its last reminder is still `previous`."""
        changed = await self._write(
            "UPDATE inbox_tasks SET reminded_at = %s"
            " WHERE task_id = %s AND reminded_at IS NOT DISTINCT FROM %s",
            (at, task_id, previous),
        )
        return changed == 1

    async def _write(self, query: str, args: tuple[Any, ...]) -> int:
        async with self._pool.connection() as connection:
            cursor = await connection.execute(query, args)
            return cursor.rowcount

    async def _read(self, query: str, args: tuple[Any, ...]) -> list[InboxTask]:
        async with self._pool.connection() as connection:
            cursor = await connection.execute(query, args)
            rows = await cursor.fetchall()
        return [row_task(dict(zip(_NAMES, row, strict=True)), self._sealer) for row in rows]
