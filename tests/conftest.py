"""Fixtures shared by every kind of test."""

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from psycopg import sql

from onceonly import testing
from onceonly.samples import birth_request_data
from onceonly.settings import Settings
from tests import postgres
from tests.users import reachable_temp_dir

TEST_PAYLOAD_KEYS = testing.TEST_PAYLOAD_KEYS  # the kit's test key, for tests that import it here


@pytest.fixture
def settings() -> Settings:
    """Settings for tests: a test payload key and secrets, nothing read from the environment."""
    return Settings(
        payload_keys=TEST_PAYLOAD_KEYS,
        jwt_secret="test-jwt-secret-0123456789-0123456789",
        citizen_key_secret="test-citizen-key-secret",
    )


@pytest.fixture
def birth_data() -> dict[str, Any]:
    """A valid birth as the API receives it."""
    return birth_request_data(date.today())


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL cluster for this session (each xdist worker has its own):
    its superuser's URL to the `postgres` database. Skipped, saying why, without a server."""
    try:
        postgres.server_bin_dir()
    except postgres.PostgresMissing as missing:
        pytest.skip(f"PostgreSQL server not installed: {missing}")
    with (
        reachable_temp_dir("onceonly-pg-") as base_dir,
        postgres.running_postgres(base_dir) as url,
    ):
        yield url


@pytest.fixture
def fresh_database(postgres_url: str) -> Iterator[str]:
    """The URL of a database created for this test alone, so no test sees another's rows."""
    name = f"test_{uuid.uuid4().hex}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


# The tests that take longest (a two-minute agency outage, the drills, the cluster, the
# property tests against every agency, the journeys in a browser) start first: pytest-xdist
# hands tests out in collection order, and one of these started last would keep the suite
# waiting on a single core while the other sits idle.
LONGEST_FIRST = (
    "tests/integration/test_slow_agencies_on_the_real_stack.py",
    "tests/drills/",
    "tests/cluster/",
    "tests/integration/test_staff_inbox_api.py",
    "tests/integration/test_work_queue_on_the_real_stack.py",
    "tests/integration/test_batch_agency_on_the_real_stack.py",
    "tests/browser/test_staff_inbox.py",
    "tests/unit/test_intake_not_looser_than_agencies.py",
    "tests/browser/test_portal_journeys.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the longest tests at the front, longest first, keeping every other in its order."""

    def rank(item: pytest.Item) -> int:
        return next(
            (n for n, path in enumerate(LONGEST_FIRST) if item.nodeid.startswith(path)),
            len(LONGEST_FIRST),
        )

    items.sort(key=rank)
