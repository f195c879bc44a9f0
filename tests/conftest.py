"""Fixtures shared by every kind of test."""

from datetime import date
from typing import Any

import pytest

from onceonly import testing
from onceonly.samples import birth_request_data
from onceonly.settings import Settings

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
