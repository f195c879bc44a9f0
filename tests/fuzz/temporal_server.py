"""A real Temporal dev server in a child process, for tests that drive the citizen API in
process (ASGI) and need Temporal behind it: starting events, listing them by search attribute.

The API's Temporal client lives on whichever event loop runs the app (schemathesis' own, or
the test's), so the server is a plain child process that no event loop owns.
"""

import asyncio
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from onceonly.local_stack import free_port
from onceonly.settings import Settings
from onceonly.supervisor import dev_server_argv
from onceonly.temporal import connect

READY_SECONDS = 60  # a cold dev server creates its SQLite database first
STOP_SECONDS = 15
POLL_SECONDS = 0.1


def _listening(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.socket() as probe:
        probe.settimeout(POLL_SECONDS)
        return probe.connect_ex((host, int(port))) == 0


async def _healthy(settings: Settings) -> bool:
    try:
        client = await connect(settings)
        return await client.service_client.check_health()
    except RuntimeError:
        return False  # listening, but its frontend not serving yet ("not healthy yet")


@contextmanager
def temporal_dev_server(state_dir: Path, address: str | None = None) -> Iterator[str]:
    """`host:port` of a dev server (at `address`, or on a free loopback port) with the
    project's search attributes and its state in `state_dir`, for the block; stopped after it.
    """
    settings = Settings(
        TEMPORAL_ADDRESS=address or f"127.0.0.1:{free_port()}",
        temporal_ui_port=free_port(),
        state_dir=state_dir,
    )
    log_path = state_dir / "temporal.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(dev_server_argv(settings), stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not (_listening(settings.temporal_address) and asyncio.run(_healthy(settings))):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the dev server did not start:\n{log_path.read_text()}")
            time.sleep(POLL_SECONDS)
        yield settings.temporal_address
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
