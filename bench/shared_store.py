"""The stack's second pair of worker and API, on the shared store in PostgreSQL: the same
Temporal server and mock agencies, a task queue of their own, so that the same run measures
births on both stores beside the same baseline.

The PostgreSQL is durable (fsync on, PostgreSQL's defaults), as a deployment runs it, on the
same machine; its server's CPU is counted as the `postgres` process.
"""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.stack import WORKER_STARTED, Piece, PieceStack, cpu_seconds
from onceonly.local_stack import free_port
from onceonly.settings import Settings
from onceonly.store import migrate_store
from onceonly.supervisor import http_ok, worker_polling
from tests.postgres import running_postgres
from tests.users import reachable_temp_dir

TASK_QUEUE = "onceonly-postgres"


@dataclass(frozen=True)
class StoreVariant:
    """Births through one API and worker pair: its settings (the API's URL, its queue) and the
    pieces whose CPU time it spends."""

    system: str
    settings: Settings
    processes: tuple[str, ...]


def postmaster_cpu_seconds(data_dir: Path) -> float:
    """CPU time of the PostgreSQL server: the postmaster and every backend it forked."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            pid = int(stat.parent.name)
            if pid == postmaster or parent == postmaster:
                total += cpu_seconds(pid)
        except (OSError, ValueError, IndexError):
            continue  # a backend that ended while we looked
    return total


@asynccontextmanager
async def postgres_pair(stack: PieceStack) -> AsyncIterator[StoreVariant]:
    """A PostgreSQL (migrated as `onceonly setup` would) and a worker and an API on it, added
    to `stack` for the block."""
    with (
        reachable_temp_dir("onceonly-bench-postgres-") as base,
        running_postgres(base, durable=True) as url,
    ):
        settings = stack.settings.model_copy(
            update={
                "database_url": url,
                "task_queue": TASK_QUEUE,
                "api_port": free_port(),
                "worker_metrics_port": free_port(),
            }
        )
        await migrate_store(settings)
        env = {
            **stack.env,
            "PYTHONUNBUFFERED": "1",
            "ONCEONLY_DATABASE_URL": url,
            "ONCEONLY_TASK_QUEUE": TASK_QUEUE,
            "ONCEONLY_API_PORT": str(settings.api_port),
            "ONCEONLY_WORKER_METRICS_PORT": str(settings.worker_metrics_port),
        }
        python = sys.executable
        pieces = [
            Piece(
                "worker-pg",
                [python, "-m", "onceonly", "worker"],
                env,
                lambda: worker_polling(settings),
                stack.state_dir / "worker-pg.log",
                WORKER_STARTED,
            ),
            Piece(
                "api-pg",
                [python, "-m", "onceonly", "api"],
                env,
                lambda: http_ok(f"{settings.api_url}/healthz"),
                stack.state_dir / "api-pg.log",
            ),
        ]
        for piece in pieces:
            await piece.start()
            stack.pieces[piece.name] = piece
        stack.counted["postgres"] = lambda: postmaster_cpu_seconds(base / "data")
        try:
            yield StoreVariant("onceonly-pg", settings, ("worker-pg", "api-pg", "postgres"))
        finally:
            del stack.counted["postgres"]
            for piece in reversed(pieces):
                await piece.stop()
                del stack.pieces[piece.name]
