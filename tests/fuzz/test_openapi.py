"""schemathesis against the citizen API's own OpenAPI document: requests generated from it,
valid and invalid, sent in process (ASGI) to the API with a real Temporal dev server behind
it, never get a 5xx or an answer the document does not describe (status, content type,
schema, headers); invalid ones are refused, and no route that needs a token answers without.

Bounded and repeatable: a few examples per operation, derandomized, no example database.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    positive_data_acceptance,
)

from onceonly.api.app import create_app
from onceonly.auth import mint_token
from onceonly.local_stack import free_port
from onceonly.settings import Settings
from tests.conftest import TEST_PAYLOAD_KEYS
from tests.fuzz.temporal_server import temporal_dev_server

# schemathesis binds each operation to the app when it collects the tests, before any
# fixture runs: so the app is made now, for a dev server the fixture starts at this address.
TEMPORAL_ADDRESS = f"127.0.0.1:{free_port()}"
SETTINGS = Settings(
    TEMPORAL_ADDRESS=TEMPORAL_ADDRESS,
    payload_keys=TEST_PAYLOAD_KEYS,
    jwt_secret="fuzz-jwt-secret-0123456789-0123456789-01",
    citizen_key_secret="fuzz-citizen-key-secret",
    # One citizen sends every generated request; the limit has its own tests (tests/abuse).
    rate_limit_per_minute=0,
)
APP = create_app(SETTINGS)
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP
# Enough to reach every parameter and rule of each operation and stay within a minute.
EXAMPLES_PER_OPERATION = 15
NOT_CHECKED = [
    # The document types an event's `data` as an object: the catalogue's data model for the
    # event type decides what is valid, so schema-valid data is usually (rightly) refused.
    positive_data_acceptance,
    # Starlette's 405 lists only the first matching route's methods in `Allow` (POST for
    # /v1/life-events, though GET is there too), and the API's 405 handler passes it on.
    allow_header_conformance,
]


@pytest.fixture(scope="module")
def temporal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dev server the app's lifespan connects to, for this module."""
    with temporal_dev_server(tmp_path_factory.mktemp("temporal"), TEMPORAL_ADDRESS) as address:
        yield address


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_generated_request_gets_an_answer_the_document_describes(case, temporal):
    token = mint_token(SETTINGS, "fuzzing-citizen")
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, excluded_checks=NOT_CHECKED
    )
