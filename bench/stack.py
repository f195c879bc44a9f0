"""The local stack as separate processes that a benchmark or drill can kill and restart.

`onceonly up` starts a child that died again after its own pause; a drill that kills and
starts pieces on a schedule of its own (three workers, a server kept down for ten seconds)
needs them in its hands instead. This runs the supervisor's own plan (the same commands,
environment and readiness probes) without the supervisor: each piece is a process of its own
with its own log in the state dir, on free loopback ports. The restart drill
(bench/restarts.py) runs `onceonly up` itself.
"""

import asyncio
import base64
import contextlib
import json
import os
import secrets
import signal
import subprocess
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.checks import answers_from_metrics
from onceonly.local_stack import LocalStack, free_port
from onceonly.settings import AGENCIES, Settings
from onceonly.supervisor import WORKER_STARTED as WORKER_STARTED_LINE
from onceonly.supervisor import plan

READY_SECONDS = 120.0  # a cold dev server creates its database first
STOP_SECONDS = 15.0  # longer than the worker's graceful shutdown
PROBE_SECONDS = 0.25
# The line `onceonly worker` logs once it polls: another worker's pollers prove nothing.
WORKER_STARTED = WORKER_STARTED_LINE.encode()


class PieceFailed(RuntimeError):
    """A piece that exited or never became ready; the message names its log."""


def fresh_secrets() -> dict[str, str]:
    """Secrets of this run only: a payload key, the JWT and the citizen-key secrets."""
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return {
        "ONCEONLY_PAYLOAD_KEYS": f"bench:{key}",
        "ONCEONLY_JWT_SECRET": secrets.token_urlsafe(32),
        "ONCEONLY_CITIZEN_KEY_SECRET": secrets.token_urlsafe(32),
        # An event is measured from its start to its end: no window for withdrawals after it,
        # and no per-citizen rate limit on a driver that is many citizens at once.
        "ONCEONLY_WITHDRAWAL_WINDOW": "PT0S",
        "ONCEONLY_RATE_LIMIT_PER_MINUTE": "0",
        # The orchestrator is measured, not the agencies' agreed rates: the mocks take any rate.
        "ONCEONLY_AGENCY_RATE_LIMITS": json.dumps(dict.fromkeys(AGENCIES, 0)),
    }


AGENCIES_AT_ONCE = {"MOCK_IRD_ISSUE_DELAY_SECONDS": "0", "MOCK_BDM_DEATH_REVIEW_SECONDS": "0"}
"""No added latency at any agency: IRD and BDM decide in their first answer, as the baseline's
agencies do (the local stack's default is two seconds later)."""


def rss_bytes(pid: int) -> int:
    """A process's resident set size, from /proc (no psutil needed)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise PieceFailed(f"process {pid} reports no VmRSS")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    user, system = int(fields[11]), int(fields[12])
    return (user + system) / os.sysconf("SC_CLK_TCK")


@dataclass
class Piece:
    """One process of the stack: how to start it, how to tell it is ready, its log."""

    name: str
    argv: list[str]
    env: dict[str, str]
    ready: Callable[[], Awaitable[bool]]
    log_path: Path
    started_line: bytes | None = None
    """A line the process logs once ready, where its probe alone cannot tell (workers)."""
    cwd: Path | None = None
    """Its working directory; the driver's when None."""
    process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The running process's id."""
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    @property
    def alive(self) -> bool:
        """True while the process has not exited."""
        return self.process is not None and self.process.poll() is None

    def launch(self) -> int:
        """Start the process without waiting; how much of its log came before this start."""
        logged = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: a Ctrl-C on the driver reaches the driver, which stops it.
                start_new_session=True,
                cwd=self.cwd,
            )
        return logged

    async def start(self) -> None:
        """Start the process and wait until it is ready."""
        logged = self.launch()
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_SECONDS
        while True:
            if self.process.poll() is not None:
                raise PieceFailed(f"{self.name} exited at start; see {self.log_path}")
            # Any error from a probe only means "not ready yet"; the deadline bounds the wait.
            with contextlib.suppress(Exception):
                if await self.ready() and self._logged_since(logged):
                    return
            if loop.time() > deadline:
                raise PieceFailed(f"{self.name} was not ready in time; see {self.log_path}")
            await asyncio.sleep(PROBE_SECONDS)

    def _logged_since(self, offset: int) -> bool:
        if self.started_line is None:
            return True
        return self.started_line in self.log_path.read_bytes()[offset:]

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind, as a crash or an OOM kill."""
        if self.alive:
            assert self.process is not None
            self.process.kill()
            self.process.wait()

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not stopped in time."""
        if not self.alive:
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.to_thread(self.process.wait), STOP_SECONDS)
        except TimeoutError:
            self.kill()


@dataclass
class PieceStack:
    """The stack's pieces by name (temporal, agencies, codec, worker, api) and extra workers."""

    settings: Settings
    env: dict[str, str]
    state_dir: Path
    pieces: dict[str, Piece] = field(default_factory=dict)
    extra_workers: list[Piece] = field(default_factory=list)
    counted: dict[str, Callable[[], float]] = field(default_factory=dict)
    """CPU time of processes the stack did not start itself (a PostgreSQL server), by name."""

    @classmethod
    def on_free_ports(cls, state_dir: Path, overrides: Mapping[str, str]) -> "PieceStack":
        """A stack on free ports with fresh secrets, state in `state_dir`, `overrides` on top."""
        state_dir.mkdir(parents=True, exist_ok=True)
        local = LocalStack.on_free_ports(
            state_dir, {**fresh_secrets(), **overrides}, inherit=os.environ
        )
        stack = cls(settings=local.settings, env=local.env, state_dir=state_dir)
        for child in plan(local.settings):
            env = {**local.env, "PYTHONUNBUFFERED": "1", **child.env, **AGENCIES_AT_ONCE}
            log = state_dir / f"{child.name}.log"
            line = WORKER_STARTED if child.name == "worker" else None
            stack.pieces[child.name] = Piece(child.name, child.argv, env, child.ready, log, line)
        return stack

    def __getitem__(self, name: str) -> Piece:
        return self.pieces[name]

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time so far of every running piece, by name, and of this driver."""
        used = {name: cpu_seconds(piece.pid) for name, piece in self.pieces.items() if piece.alive}
        others = {name: seconds() for name, seconds in self.counted.items()}
        return {**used, **others, "driver": cpu_seconds(os.getpid())}

    @property
    def workers(self) -> list[Piece]:
        """Every worker process, the planned one first."""
        return [self.pieces["worker"], *self.extra_workers]

    async def start(self) -> None:
        """Start every piece in the supervisor's order, each ready before the next."""
        for piece in self.pieces.values():
            await piece.start()

    async def add_worker(self) -> Piece:
        """Start one more `onceonly worker` on the same task queue (own metrics port)."""
        planned = self.pieces["worker"]
        number = len(self.extra_workers) + 2
        env = {**planned.env, "ONCEONLY_WORKER_METRICS_PORT": str(free_port())}
        log = self.state_dir / f"worker-{number}.log"
        worker = Piece(f"worker-{number}", planned.argv, env, planned.ready, log, WORKER_STARTED)
        await worker.start()
        self.extra_workers.append(worker)
        return worker

    async def add_piece(self, name: str, argv: list[str], started_line: bytes) -> Piece:
        """Start a process of the run's own (a baseline worker) with the stack's environment;
        ready once it logs `started_line`. It stops with the stack."""

        async def always() -> bool:
            return True

        env = {**self.env, "PYTHONUNBUFFERED": "1"}
        piece = Piece(name, argv, env, always, self.state_dir / f"{name}.log", started_line)
        await piece.start()
        self.pieces[name] = piece
        return piece

    async def stop(self) -> None:
        """Stop every piece, the last started first."""
        for piece in reversed([*self.pieces.values(), *self.extra_workers]):
            await piece.stop()

    async def agency_keys(self, agency: str) -> list[str]:
        """The idempotency keys of every record the mock agency holds."""
        return [str(record["idempotency_key"]) for record in await self.agency_records(agency)]

    async def agency_records(self, agency: str) -> list[dict[str, Any]]:
        """Every record the mock agency holds."""
        records: list[dict[str, Any]] = (await self.agency_holdings(agency))["records"]
        return records

    async def agency_holdings(self, agency: str) -> dict[str, Any]:
        """What the mock agency holds: its records, withdrawals, amendments, promised work."""
        url = f"{self.settings.agency_base_url}/{agency}/_records"
        async with httpx.AsyncClient(timeout=60) as http:
            response = await http.get(url, headers=self.settings.mocks_admin_headers)
        response.raise_for_status()
        held: dict[str, Any] = response.json()
        return held

    async def set_faults(self, agency: str, **faults: float) -> None:
        """Turn the mock agency's fault knobs (unnamed knobs go back to their defaults)."""
        url = f"{self.settings.agency_base_url}/{agency}/_faults"
        async with httpx.AsyncClient(timeout=10) as http:
            headers = self.settings.mocks_admin_headers
            (await http.put(url, json=faults, headers=headers)).raise_for_status()

    async def agency_answers(self) -> dict[tuple[str, str], int]:
        """How many submissions each mock agency answered with each HTTP status, so far."""
        async with httpx.AsyncClient(timeout=10) as http:
            text = (await http.get(f"{self.settings.agency_base_url}/metrics")).text
        return answers_from_metrics(text)
