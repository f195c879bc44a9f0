"""The staff inbox in the embedded store (see onceonly.domain.inbox)."""

import sqlite3
from datetime import datetime, timedelta
from typing import Any, Literal

from onceonly.domain.inbox import InboxTask, TaskClosed, TaskNotFound, TaskState
from onceonly.store.inbox_rows import COLUMNS, TIMES, row_task, task_row
from onceonly.store.sealing import Sealer
from onceonly.store.sqlite import SqliteDatabase, utc_text

_NAMES = COLUMNS.split(", ")
_INSERT = (
    f"INSERT INTO inbox_tasks ({COLUMNS}) VALUES ({', '.join('?' * len(_NAMES))})"  # noqa: S608
    " ON CONFLICT (task_id) DO NOTHING"
)
_SELECT = f"SELECT {COLUMNS} FROM inbox_tasks"  # noqa: S608


class SqliteTaskInbox:
    """The inbox kept in `database`, disclosures sealed by `sealer`."""

    def __init__(self, database: SqliteDatabase, sealer: Sealer) -> None:
        self._database = database
        self._sealer = sealer

    async def open(self, task: InboxTask) -> bool:
        """Keep `task` unless its id is kept already; True when it was new."""
        row = task_row(task, self._sealer)
        values = tuple(utc_text(row[n]) if n in TIMES else row[n] for n in _NAMES)
        return bool(await self._database.run(self._write, _INSERT, values))

    async def get(self, task_id: str) -> InboxTask | None:
        """The task, whatever its agency or state."""
        rows = await self._database.run(self._read, f"{_SELECT} WHERE task_id = ?", (task_id,))
        return self._task(rows[0]) if rows else None

    async def for_agency(
        self, agency: str, state: TaskState | None = "open", limit: int = 100
    ) -> list[InboxTask]:
        """The agency's tasks in `state`: open ones by due time, closed ones newest first."""
        if state == "open":
            query = f"{_SELECT} WHERE agency = ? AND state = 'open' ORDER BY due_at, id LIMIT ?"
            args: tuple[Any, ...] = (agency, limit)
        elif state is None:
            query = f"{_SELECT} WHERE agency = ? ORDER BY id DESC LIMIT ?"
            args = (agency, limit)
        else:
            query = f"{_SELECT} WHERE agency = ? AND state = ? ORDER BY closed_at DESC LIMIT ?"
            args = (agency, state, limit)
        return [self._task(row) for row in await self._database.run(self._read, query, args)]

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
        changed = await self._database.run(
            self._write,
            "UPDATE inbox_tasks SET state = ?, outcome_reference = ?, reason = ?,"
            " closed_by = ?, closed_at = ? WHERE task_id = ? AND agency = ? AND state = 'open'",
            (outcome, reference, reason, by, utc_text(at), task_id, agency),
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
        last = now - timedelta(seconds=remind_every)
        rows = await self._database.run(
            self._read,
            f"{_SELECT} WHERE state = 'open' AND due_at <= ?"
            " AND (reminded_at IS NULL OR reminded_at <= ?) ORDER BY due_at, id LIMIT ?",
            (utc_text(now), utc_text(last), limit),
        )
        return [self._task(row) for row in rows]

    async def claim_reminder(self, task_id: str, previous: datetime | None, at: datetime) -> bool:
        """Mark the task reminded at `at` if its last reminder is still `previous`."""
        return bool(
            await self._database.run(
                self._write,
                "UPDATE inbox_tasks SET reminded_at = ? WHERE task_id = ? AND reminded_at IS ?",
                (utc_text(at), task_id, utc_text(previous)),
            )
        )

    def _task(self, row: tuple[Any, ...]) -> InboxTask:
        return row_task(dict(zip(_NAMES, row, strict=True)), self._sealer)

    def _write(self, connection: sqlite3.Connection, query: str, args: tuple[Any, ...]) -> int:
        with self._database.writing:
            return connection.execute(query, args).rowcount

    @staticmethod
    def _read(
        connection: sqlite3.Connection, query: str, args: tuple[Any, ...]
    ) -> list[tuple[Any, ...]]:
        return connection.execute(query, args).fetchall()
