"""The callbacks already acted on, by id: a second delivery of one is a replay, refused.

Kept in one SQLite file in the state dir, which every API process on the machine shares (a
cluster would keep it in its shared database, as the disclosure log).
"""

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_callbacks (
    agency TEXT NOT NULL,
    callback_id TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (agency, callback_id)
)
"""
_BUSY_TIMEOUT_MS = 5_000


class SeenCallbacks:
    """Which agencies' callbacks were acted on, by the agency's callback id."""

    def __init__(self, path: Path) -> None:
        """The record at `path`, created on first use."""
        self._path = path

    async def seen(self, agency: str, callback_id: str) -> bool:
        """True when this callback was acted on already."""
        return await asyncio.to_thread(self._seen, agency, callback_id)

    async def remember(self, agency: str, callback_id: str, at: float) -> None:
        """Record that this callback was acted on (once; a second record changes nothing)."""
        await asyncio.to_thread(self._remember, agency, callback_id, at)

    def _seen(self, agency: str, callback_id: str) -> bool:
        with closing(self._connect()) as connection:
            row = connection.execute(
                "SELECT 1 FROM seen_callbacks WHERE agency = ? AND callback_id = ?",
                (agency, callback_id),
            ).fetchone()
        return row is not None

    def _remember(self, agency: str, callback_id: str, at: float) -> None:
        with closing(self._connect()) as connection:
            connection.execute(
                "INSERT INTO seen_callbacks VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (agency, callback_id, at),
            )

    def _connect(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        # Rollback journal (not WAL): nothing to switch at creation, so creating it races
        # safely; a callback is a rare write.
        connection = sqlite3.connect(self._path, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        connection.execute(_SCHEMA)
        return connection
