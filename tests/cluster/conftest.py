"""The cluster for tests/cluster: two workers and two APIs on one PostgreSQL (cluster.py)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.cluster import Cluster, running_cluster

# Off while the events run (the test polls like a busy front end); the budget part restarts
# both APIs with a budget of its own.
NO_RATE_LIMIT = {"ONCEONLY_RATE_LIMIT_PER_MINUTE": "0"}


@pytest.fixture
def cluster(fresh_database: str, tmp_path: Path) -> Iterator[Cluster]:
    logs = tmp_path / "logs"
    logs.mkdir()
    with running_cluster(fresh_database, logs, NO_RATE_LIMIT) as running:
        yield running
