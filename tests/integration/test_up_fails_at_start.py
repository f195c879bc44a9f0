"""`onceonly up` restarts a child that dies once the stack is up (see
test_birth_on_the_real_stack.py), but a child that cannot start fails `up` at once, naming it,
and stops what had started: starting it again and again would hide a broken setup."""

import os
import socket
from pathlib import Path

import pytest

from onceonly.local_stack import LocalStack, StackFailed
from tests.integration.conftest import TEST_SECRETS

pytestmark = pytest.mark.integration


def test_a_child_that_cannot_start_fails_up_and_stops_the_rest(tmp_path: Path):
    with socket.socket() as taken:
        # Someone else holds the mocks' port, which the caller chose (a port picked free and
        # then taken would be picked again): the mock agencies exit at start.
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = {"ONCEONLY_MOCKS_PORT": str(taken.getsockname()[1])}
        stack = LocalStack.on_free_ports(tmp_path, {**TEST_SECRETS, **port}, inherit=os.environ)
        with pytest.raises(StackFailed):
            stack.start()
    assert stack.process is not None
    assert stack.process.wait(timeout=60) == 1
    log = stack.log_path.read_text()
    # uvicorn exits 3 when it cannot bind.
    assert "onceonly up failed: agencies exited with code 3 at start" in log
    assert "restarting" not in log
    assert log.rstrip().endswith("stopped.")
