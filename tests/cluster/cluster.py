"""The stack as separate machines would run it, on one machine: one Temporal dev server, one
PostgreSQL, the mock agencies, two workers and two APIs, onceonly's in production mode. Each
process has a state dir and a working directory of its own, shares nothing with the others
but the database, Temporal and the agencies, and runs as an unprivileged user when the test
runs as root.

Each process is the supervisor's own plan for it (`onceonly.supervisor.plan`: the same
command, environment and readiness probe as `onceonly up`), started as a `bench.stack.Piece`
so that a test can kill and restart it. No process may write its working directory (as an
image's `WORKDIR` owned by root), and onceonly's own may not write their state dir either:
their state is in the database.
"""

import asyncio
import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.stack import WORKER_STARTED, Piece
from onceonly.children import Child
from onceonly.local_stack import free_port
from onceonly.settings import AGENCIES, Settings
from onceonly.supervisor import plan
from tests.integration.conftest import Stack
from tests.users import give_to, python_as_user, reachable_temp_dir, running_as_root

UNPRIVILEGED = "nobody"  # every Debian image has it; it owns nothing of the repo or the venv
SETUP_SECONDS = 120


def cluster_secrets() -> dict[str, str]:
    """Every secret and key fresh for this run, none of the development defaults."""
    receipt_key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return {
        "ONCEONLY_PAYLOAD_KEYS": f"cluster:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        "ONCEONLY_JWT_SECRET": secrets.token_urlsafe(32),
        "ONCEONLY_CITIZEN_KEY_SECRET": secrets.token_urlsafe(32),
        "ONCEONLY_RECEIPT_SIGNING_KEY": receipt_key.decode(),
        "ONCEONLY_AGENCY_API_KEYS": json.dumps(
            {agency: secrets.token_urlsafe(16) for agency in AGENCIES}
        ),
        "ONCEONLY_AGENCY_CALLBACK_SECRETS": json.dumps(
            {agency: secrets.token_urlsafe(24) for agency in AGENCIES}
        ),
        "ONCEONLY_MOCKS_ADMIN_KEY": secrets.token_urlsafe(24),
        "ONCEONLY_PORTAL_DEV_LOGIN": "false",
    }


def settings_of(env: Mapping[str, str]) -> Settings:
    """The settings a process started with `env` reads."""
    with mock.patch.dict(os.environ, env, clear=True):
        return Settings()


def planned(settings: Settings, name: str) -> Child:
    """The supervisor's plan for one process, as `onceonly up` would start it."""
    [child] = [child for child in plan(settings) if child.name == name]
    return child


@dataclass
class HeldPorts:
    """Ports picked for processes not started yet, each held by a bound socket until then:
    the kernel hands no bound port to anyone else (tests run side by side, and the dev server
    picks ports of its own)."""

    held: dict[int, socket.socket] = field(default_factory=dict)

    def reserve(self) -> int:
        """A free loopback port, held until `release`."""
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        port = int(holder.getsockname()[1])
        self.held[port] = holder
        return port

    def release(self, *ports: int) -> None:
        """Let go of ports the next process binds at once."""
        for port in ports:
            holder = self.held.pop(port, None)
            if holder is not None:
                holder.close()


@dataclass
class Cluster:
    """The processes by name (temporal, agencies, worker-1, worker-2, api-1, api-2), each
    with its own dirs under `machines` and its log under `logs`."""

    machines: Path
    logs: Path
    env: dict[str, str]
    """What every process shares: secrets, Temporal's address, the agencies', the database."""
    pieces: dict[str, Piece] = field(default_factory=dict)
    ports: HeldPorts = field(default_factory=HeldPorts)
    api_ports: tuple[int, int] = (0, 0)
    started_in: float = 0.0
    """Seconds from the first process started to the last one ready."""

    def own_env(
        self, name: str, extra: Mapping[str, str] | None = None, *, stateful: bool = False
    ) -> dict[str, str]:
        """The shared environment, with this process's state dir and working directory made
        now, and `extra` on top. Its working dir it may only read; its state dir it may write
        only if `stateful` (Temporal, the agencies): onceonly's own processes keep their state
        in the database, so a write to their state dir is a bug."""
        machine = self.machines / name
        state, work = machine / "state", machine / "work"
        machine.mkdir(mode=0o711)
        for path in (state, work):
            path.mkdir()
            path.chmod(0o555)  # readable, and no one's to write (short of root)
        if stateful:
            state.chmod(0o700)
            if running_as_root():
                give_to(state, UNPRIVILEGED)
        return {**self.env, "ONCEONLY_STATE_DIR": str(state), "HOME": str(work), **(extra or {})}

    def piece(self, name: str, planned_as: str, env: dict[str, str]) -> Piece:
        """The process `planned_as` in the supervisor's plan, named `name` here."""
        child = planned(settings_of(env), planned_as)
        return Piece(
            name,
            python_as_user(UNPRIVILEGED, child.argv),
            {**env, "PYTHONUNBUFFERED": "1", **child.env},
            child.ready,
            self.logs / f"{name}.log",
            WORKER_STARTED if planned_as == "worker" else None,
            cwd=Path(env["HOME"]),
        )

    def api_env(self, number: int, **extra: str) -> dict[str, str]:
        return {**self.env, "ONCEONLY_API_PORT": str(self.api_ports[number - 1]), **extra}

    def api(self, number: int) -> Stack:
        """API #number as the test's helpers see a stack: its settings, the agencies."""
        return Stack(env=self.api_env(number), log_path=self.logs / f"api-{number}.log")

    def setup(self) -> None:
        """`onceonly setup` once, as a deployment's one-shot: search attributes, migrations."""
        env = self.own_env("setup")
        log = self.logs / "setup.log"
        with log.open("wb") as out:
            done = subprocess.run(
                python_as_user(UNPRIVILEGED, [sys.executable, "-m", "onceonly", "setup"]),
                env=env,
                cwd=env["HOME"],
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=SETUP_SECONDS,
                check=False,
            )
        assert done.returncode == 0, log.read_text(errors="replace")

    async def start(self, api_extra: Mapping[str, str]) -> None:
        """Every process in the supervisor's order, each ready before the next."""
        began = time.monotonic()
        temporal = self.own_env("temporal", stateful=True)
        self.pieces["temporal"] = self.piece("temporal", "temporal", temporal)
        self.ports.release(*self._ports_of("TEMPORAL_ADDRESS", "ONCEONLY_TEMPORAL_UI_PORT"))
        await self.pieces["temporal"].start()
        # The agencies call back to API #1, as a real agency has one URL for onceonly.
        callbacks_to = {"ONCEONLY_API_PORT": str(self.api_ports[0])}
        agencies = self.own_env("agencies", callbacks_to, stateful=True)
        self.pieces["agencies"] = self.piece("agencies", "agencies", agencies)
        self.ports.release(*self._ports_of("ONCEONLY_MOCKS_PORT"))
        await self.pieces["agencies"].start()
        await asyncio.to_thread(self.setup)
        for number in (1, 2):
            metrics = {"ONCEONLY_WORKER_METRICS_PORT": str(free_port())}
            env = self.own_env(f"worker-{number}", metrics)
            self.pieces[f"worker-{number}"] = self.piece(f"worker-{number}", "worker", env)
            await self.pieces[f"worker-{number}"].start()
        for number in (1, 2):
            await self.start_api(number, api_extra)
        self.started_in = time.monotonic() - began

    async def start_api(self, number: int, extra: Mapping[str, str]) -> None:
        """(Re)start API #number on its port, with `extra` settings, its dirs made afresh."""
        name = f"api-{number}"
        shutil.rmtree(self.machines / name, ignore_errors=True)
        env = self.own_env(name, {"ONCEONLY_API_PORT": str(self.api_ports[number - 1]), **extra})
        self.pieces[name] = self.piece(name, "api", env)
        self.ports.release(self.api_ports[number - 1])
        await self.pieces[name].start()

    def _ports_of(self, *names: str) -> list[int]:
        return [int(self.env[name].rsplit(":", 1)[-1]) for name in names]

    async def stop(self) -> None:
        for piece in reversed(self.pieces.values()):
            await piece.stop()
        self.ports.release(*list(self.ports.held))

    def logged(self, needle: str) -> dict[str, int]:
        """How many times each process's log holds `needle`, for those where it does."""
        counts = {
            log.stem: log.read_text(errors="replace").count(needle)
            for log in sorted(self.logs.glob("*.log"))
        }
        return {name: count for name, count in counts.items() if count}


@contextmanager
def running_cluster(
    database_url: str, logs: Path, api_extra: Mapping[str, str] | None = None
) -> Iterator[Cluster]:
    """A cluster on `database_url`, up for the block, then stopped and its dirs removed (the
    logs stay in `logs`)."""
    ports = HeldPorts()
    shared = {
        **os.environ,
        **cluster_secrets(),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{ports.reserve()}",
        "ONCEONLY_TEMPORAL_UI_PORT": str(ports.reserve()),
        "ONCEONLY_CODEC_PORT": str(free_port()),  # no codec server in the cluster
        "ONCEONLY_MOCKS_PORT": str(ports.reserve()),
        "ONCEONLY_DATABASE_URL": database_url,
        # As a deployment runs: every process refuses a development secret (the mocks, which
        # stand for the agencies' own systems, keep their inspection routes for the test).
        "ONCEONLY_ENVIRONMENT": "production",
    }
    with reachable_temp_dir("onceonly-cluster-") as machines:
        # The batch exchange's drop, shared as an SFTP drop is (no machine's own disk): every
        # worker writes the day's file there, and Collections' system reads and answers it.
        exchange = machines / "exchange"
        exchange.mkdir(mode=0o700)
        if running_as_root():
            give_to(exchange, UNPRIVILEGED)
        shared["ONCEONLY_BATCH_DIR"] = str(exchange)
        api_ports = (ports.reserve(), ports.reserve())
        cluster = Cluster(machines, logs, shared, ports=ports, api_ports=api_ports)
        try:
            asyncio.run(cluster.start(api_extra or {}))
            yield cluster
        finally:
            asyncio.run(cluster.stop())
