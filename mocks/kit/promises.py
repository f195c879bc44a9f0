"""The work a mock agency's answer promised to do later (a decision, a callback), kept as rows
in the mocks' store beside the records: written in the same transaction as the record that
promises it, and claimed when due by any mocks process on the file (see mocks/kit/later.py), so a
restart loses none of it.
"""

import asyncio
import secrets
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Later:
    """Work an agency promised in its answer to a request: what (an action its mocks know,
    such as `ird.issue`) and when (unix seconds)."""

    action: str
    due: float


Promise = Callable[[int, dict[str, Any]], Later | None]
"""Given a new record's status and answer, the later work it promises, if any."""


@dataclass(frozen=True)
class LaterWork:
    """One claimed row of later work: the request it is about, and its delivery so far."""

    id: int
    agency: str
    idempotency_key: str
    action: str
    callback_id: str
    """The same on every delivery, so a delivery repeated after a crash is seen as a replay."""
    attempts: int
    created: float


def insert_promise(
    connection: sqlite3.Connection, agency: str, idempotency_key: str, later: Later
) -> None:
    """Keep `later` for the request, inside the caller's transaction (once per request)."""
    connection.execute(
        "INSERT INTO later (agency, idempotency_key, action, due, callback_id, created)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            agency,
            idempotency_key,
            later.action,
            later.due,
            f"cb-{secrets.token_hex(16)}",
            datetime.now(UTC).timestamp(),
        ),
    )


class Promises:
    """The promised work in the store's file: when it falls due, claiming it, settling it."""

    def __init__(self, connection: Callable[[], sqlite3.Connection], lock: threading.Lock) -> None:
        """Work kept through the store's per-thread `connection` and its writer `lock`."""
        self._connection = connection
        self._lock = lock

    async def next_due(self) -> float | None:
        """When the earliest pending (or abandoned claimed) work falls due, or None."""
        return await asyncio.to_thread(self._next_due)

    def _next_due(self) -> float | None:
        # Two look-ups by state, each an index search: done work piles up over the years.
        row = (
            self._connection()
            .execute(
                "SELECT (SELECT MIN(due) FROM later WHERE state = 'pending'),"
                " (SELECT MIN(claimed_until) FROM later WHERE state = 'claimed')"
            )
            .fetchone()
        )
        found = [float(value) for value in row if value is not None]
        return min(found, default=None)

    async def claim_due(self, now: float, limit: int, lease: float, claim: str) -> list[LaterWork]:
        """Claim up to `limit` rows of work due by `now` for `lease` seconds under `claim`:
        the pending ones, and claimed ones whose lease ran out (their process died)."""
        return await asyncio.to_thread(self._claim_due, now, limit, lease, claim)

    def _claim_due(self, now: float, limit: int, lease: float, claim: str) -> list[LaterWork]:
        with self._lock:
            connection = self._connection()
            # IMMEDIATE takes the write lock before the search, so two processes sharing the
            # file can never both find, and both claim, the same row.
            connection.execute("BEGIN IMMEDIATE")
            try:
                rows = connection.execute(
                    "UPDATE later SET state = 'claimed', claim = ?, claimed_until = ?"
                    " WHERE id IN (SELECT id FROM later WHERE (state = 'pending' AND due <= ?)"
                    " OR (state = 'claimed' AND claimed_until <= ?) ORDER BY due LIMIT ?)"
                    " RETURNING id, agency, idempotency_key, action, callback_id, attempts,"
                    " created",
                    (claim, now + lease, now, now, limit),
                ).fetchall()
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return [LaterWork(*row) for row in rows]

    async def settle(
        self, work: LaterWork, claim: str, outcome: str, retry_at: float | None = None
    ) -> bool:
        """End a claimed attempt: done with `outcome`, or pending again at `retry_at`.
        False when the claim was lost meanwhile (its lease ran out and another took it)."""
        return await asyncio.to_thread(self._settle, work.id, claim, outcome, retry_at)

    def _settle(self, work_id: int, claim: str, outcome: str, retry_at: float | None) -> bool:
        state = "done" if retry_at is None else "pending"
        with self._lock:
            # One statement: atomic, and only while this claim still holds the row.
            cursor = self._connection().execute(
                "UPDATE later SET state = ?, due = COALESCE(?, due), outcome = ?, claim = NULL,"
                " claimed_until = NULL, attempts = attempts + 1"
                " WHERE id = ? AND state = 'claimed' AND claim = ?",
                (state, retry_at, outcome, work_id, claim),
            )
        return cursor.rowcount == 1

    async def later_work(self, agency: str) -> list[dict[str, Any]]:
        """The agency's later work, oldest first: what, when, and how it ended (if it has)."""
        return await asyncio.to_thread(self._later_work, agency)

    def _later_work(self, agency: str) -> list[dict[str, Any]]:
        cursor = self._connection().execute(
            "SELECT idempotency_key, action, due, state, attempts, outcome FROM later"
            " WHERE agency = ? ORDER BY id",
            (agency,),
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
