"""A whole local stack (`onceonly up`) in a child process, on free loopback ports and its own
state dir: what the integration tests and `onceonly dev record-histories` run against, so
they never touch a developer's own `make up`.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from unittest import mock

from onceonly.settings import Settings

READY_SECONDS = 120  # a cold dev server creates its database first
STOP_SECONDS = 60
POLL_SECONDS = 0.25
READY_LINE = b"onceonly is up."
# A port free when picked may be taken before the child binds it (tests run side by side, and
# the dev server picks ports of its own): then the stack starts again on ports picked afresh.
START_ATTEMPTS = 3
PORT_TAKEN = b"address already in use"
STACK_DEFAULTS = {
    "ONCEONLY_WORK_QUEUE_AGENCIES": "",
    "ONCEONLY_BATCH_PERIOD_SECONDS": "2",
    "MOCK_BATCH_POLL_SECONDS": "0.2",
}
"""Every agency on its API (the mocks), whatever the environment says, unless the overrides
put one on the work queue as `onceonly up` does the council: what tests and recordings expect.
Collections' file goes every two seconds and is answered at once, so a move's step there ends
within seconds (a day's file in production, five seconds under `onceonly up`)."""


class StackFailed(RuntimeError):
    """The stack did not come up; the message holds its log."""


def free_port() -> int:
    """A port free on loopback now (the defaults may belong to a running `make up`)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_port_env(state_dir: Path) -> dict[str, str]:
    """Settings that put every listener of the stack on a free port, state in `state_dir`."""
    return {
        "ONCEONLY_STATE_DIR": str(state_dir),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "ONCEONLY_TEMPORAL_UI_PORT": str(free_port()),
        "ONCEONLY_API_PORT": str(free_port()),
        "ONCEONLY_MOCKS_PORT": str(free_port()),
        "ONCEONLY_CODEC_PORT": str(free_port()),
        "ONCEONLY_WORKER_METRICS_PORT": str(free_port()),
    }


@dataclass
class LocalStack:
    """`onceonly up` run with `env`, and the settings its children read from that env."""

    env: dict[str, str]
    log_path: Path
    settings: Settings = field(init=False)
    process: subprocess.Popen[bytes] | None = None
    picked_ports: tuple[str, ...] = ()
    """The variables whose ports were picked free (not given), picked again on a collision."""

    def __post_init__(self) -> None:
        with mock.patch.dict(os.environ, self.env, clear=True):
            self.settings = Settings()

    @classmethod
    def on_free_ports(
        cls, state_dir: Path, overrides: Mapping[str, str], inherit: Mapping[str, str]
    ) -> Self:
        """A stack with `inherit`ed environment, free ports, then `overrides` on top."""
        picked = free_port_env(state_dir)
        env = {**inherit, **picked, **STACK_DEFAULTS, **overrides}
        ports = tuple(name for name in picked if name not in overrides and name.endswith("PORT"))
        address = () if "TEMPORAL_ADDRESS" in overrides else ("TEMPORAL_ADDRESS",)
        return cls(env=env, log_path=state_dir / "up.log", picked_ports=ports + address)

    def start(self) -> None:
        """Start `onceonly up` and wait for its banner (only this start's lines count); on a
        port taken meanwhile, again on ports picked afresh."""
        for attempt in range(1, START_ATTEMPTS + 1):
            logged = self.log_path.stat().st_size if self.log_path.exists() else 0
            try:
                self._start_once()
                return
            except StackFailed:
                if attempt == START_ATTEMPTS or not self._picked_port_taken(logged):
                    raise
            again = free_port_env(Path(self.env["ONCEONLY_STATE_DIR"]))
            self.env.update({name: again[name] for name in self.picked_ports})
            self.__post_init__()

    def _picked_port_taken(self, logged: int) -> bool:
        """Whether this start failed because one of the ports picked for it was taken (a port
        the caller chose, taken, is the caller's failure to see)."""
        picked = {self.env[name].rsplit(":", 1)[-1] for name in self.picked_ports}
        lines = self.log_path.read_bytes()[logged:].lower().splitlines()
        return any(
            picked & set(re.findall(r"\d+", line.decode(errors="replace")))
            for line in lines
            if PORT_TAKEN in line
        )

    def _start_once(self) -> None:
        already_logged = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "onceonly", "up"], env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + READY_SECONDS
        while READY_LINE not in self.log_path.read_bytes()[already_logged:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise StackFailed(f"onceonly up did not start:\n{self.log_path.read_text()}")
            time.sleep(POLL_SECONDS)

    def stop(self) -> int:
        """Ctrl-C, as a person would press it; the exit code of `onceonly up`."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=STOP_SECONDS)

    @property
    def running(self) -> bool:
        """True while `onceonly up` has not exited."""
        return self.process is not None and self.process.poll() is None


@contextmanager
def running(stack: LocalStack) -> Iterator[LocalStack]:
    """The stack started for the block, and stopped after it if still up."""
    stack.start()
    try:
        yield stack
    finally:
        if stack.running:
            stack.stop()
