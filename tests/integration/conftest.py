"""The whole stack, as `onceonly up` runs it, on ephemeral ports and a temporary state dir:
the real Temporal dev server, the mock agencies, the worker and the API on loopback.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from onceonly.settings import Settings
from tests.conftest import TEST_PAYLOAD_KEYS, free_port

READY_SECONDS = 120


@dataclass
class Stack:
    """A running `onceonly up` and the settings its children share."""

    settings: Settings
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return self.settings.api_url

    def start(self) -> None:
        already_logged = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "onceonly", "up"], env=self.env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + READY_SECONDS
        while b"onceonly is up." not in self.log_path.read_bytes()[already_logged:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"onceonly up did not start:\n{self.log_path.read_text()}")
            time.sleep(0.25)

    def stop(self) -> int:
        """Ctrl-C, as a person would press it; the exit code of `onceonly up`."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)

    def agency_records(self, agency: str) -> list[dict]:
        url = f"{self.settings.agency_base_url}/{agency}/_records"
        return httpx.get(url).json()["records"]


def start_stack(state_dir: Path, **extra_env: str) -> Stack:
    """`onceonly up` on free loopback ports, with test secrets and any extra settings."""
    overrides = {
        "ONCEONLY_STATE_DIR": str(state_dir),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "ONCEONLY_TEMPORAL_UI_PORT": str(free_port()),
        "ONCEONLY_API_PORT": str(free_port()),
        "ONCEONLY_MOCKS_PORT": str(free_port()),
        "ONCEONLY_CODEC_PORT": str(free_port()),
        "ONCEONLY_WORKER_METRICS_PORT": str(free_port()),
        "ONCEONLY_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
        "ONCEONLY_JWT_SECRET": "integration-jwt-secret-0123456789-0123",
        "ONCEONLY_CITIZEN_KEY_SECRET": "integration-citizen-key-secret",
        **extra_env,
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in overrides.items():
            patch.setenv(name, value)
        settings = Settings()  # read from the same environment the children get
    stack = Stack(settings, {**os.environ, **overrides}, state_dir / "up.log")
    stack.start()
    return stack


def running_stack(state_dir: Path, **extra_env: str) -> Iterator[Stack]:
    """A stack for a module-scoped fixture to yield: started now, stopped after the module."""
    stack = start_stack(state_dir, **extra_env)
    yield stack
    if stack.process and stack.process.poll() is None:
        stack.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory.mktemp("stack"))
