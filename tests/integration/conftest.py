"""The whole stack, as `onceonly up` runs it, on ephemeral ports and a temporary state dir:
the real Temporal dev server, the mock agencies, the worker and the API on loopback.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from onceonly.local_stack import LocalStack, running
from tests.conftest import TEST_PAYLOAD_KEYS

TEST_SECRETS = {
    "ONCEONLY_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
    "ONCEONLY_JWT_SECRET": "integration-jwt-secret-0123456789-0123",
    "ONCEONLY_CITIZEN_KEY_SECRET": "integration-citizen-key-secret",
    # Tests poll like a busy front end; the rate limit has its own tests (tests/abuse).
    "ONCEONLY_RATE_LIMIT_PER_MINUTE": "0",
}


class Stack(LocalStack):
    """A local stack, with what tests read from it."""

    @property
    def api_url(self) -> str:
        return self.settings.api_url

    def agency_records(self, agency: str) -> list[dict[str, Any]]:
        url = f"{self.settings.agency_base_url}/{agency}/_records"
        return httpx.get(url).json()["records"]


def running_stack(state_dir: Path, **extra_env: str) -> Iterator[Stack]:
    """A stack for a module-scoped fixture to yield: started now, stopped after the module."""
    stack = Stack.on_free_ports(state_dir, {**TEST_SECRETS, **extra_env}, inherit=os.environ)
    with running(stack):
        yield stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory.mktemp("stack"))
