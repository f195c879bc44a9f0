"""A front end generated from the OpenAPI document: `openapi-python-client` makes a typed
client from the running API's /openapi.json, and a birth runs through that client to the end
on the real stack; its receipts verify with the published keys (PyJWT) and read back as
ISO/IEC TS 27560 consent records."""

import importlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import jwt
import pytest

from onceonly.auth import mint_token
from onceonly.samples import birth_request_data
from tests.integration.conftest import FINISHED, Stack, today

pytestmark = pytest.mark.integration
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "onceonly_generated_client"


@pytest.fixture(scope="module")
def generated(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package generated from the stack's own document, importable for the module."""
    root = tmp_path_factory.mktemp("client")
    document = httpx.get(f"{stack.api_url}/openapi.json", timeout=30).json()
    (root / "openapi.json").write_text(json.dumps(document))
    (root / "config.yml").write_text("post_hooks: []\n")  # no formatter: the code as generated
    subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(root / "openapi.json"),
            "--config",
            str(root / "config.yml"),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
            del sys.modules[name]


def module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_birth_runs_to_the_end_through_the_generated_client(stack: Stack, generated):
    client = generated.AuthenticatedClient(
        base_url=stack.api_url,
        token=mint_token(stack.settings, "generated-client-parent"),
        timeout=httpx.Timeout(30),
    )
    models = module("models")
    start = module("api.life_events.start_life_event_v1_life_events_post")
    decide = module("api.life_events.decide_consents_v1_life_events_event_id_consents_post")
    read = module("api.life_events.read_life_event_v1_life_events_event_id_get")

    body = models.StartBirth.from_dict(
        {"event_type": "birth", "data": birth_request_data(today(stack))}
    )
    assert isinstance(body.data, models.BirthData)  # the event's data is typed, not a dict
    assert isinstance(body.data.child.name, models.PersonName)
    started = start.sync_detailed(client=client, body=body)
    assert started.status_code == 201, started.content
    event = started.parsed
    assert isinstance(event, models.LifeEventView)
    decisions = [
        models.ConsentDecision(
            step_id=step.id,
            decision=models.ConsentDecisionDecision(
                "grant" if step.legal_basis.kind.value == "consent" else "acknowledge"
            ),
        )
        for step in event.steps
        if step.state.value == "awaiting_consent"
    ]
    assert len(decisions) == len(event.steps)
    decided = decide.sync_detailed(
        event.id, client=client, body=models.DecisionsRequest(decisions=decisions)
    )
    assert decided.status_code == 200, decided.content

    deadline = time.monotonic() + 90
    while (view := read.sync(event.id, client=client)).status.value not in FINISHED:
        assert time.monotonic() < deadline, view
        time.sleep(0.2)
    assert view.status.value == "completed", view
    assert {step.state.value for step in view.steps} == {"completed"}
    check_receipts(client, event.id)


def check_receipts(client: Any, event_id: str) -> None:
    """Every receipt of the event verifies with the published keys, and its consent record
    says what the receipt says."""
    receipts = module("api.consent.read_receipts_v1_life_events_event_id_receipts_get")
    record = module(
        "api.consent.read_consent_record_v1_life_events_event_id_receipts_receipt_id_record_get"
    )
    keys = module("api.receipts.read_receipt_keys_well_known_jwks_json_get")
    jwks = json.loads(keys.sync_detailed(client=client).content)
    signed = receipts.sync(event_id, client=client)
    assert signed and len({receipt.receipt_id for receipt in signed}) == len(signed)
    for receipt in signed:
        kid = jwt.get_unverified_header(receipt.jws)["kid"]
        [jwk] = [key for key in jwks["keys"] if key["kid"] == kid]
        claims = jwt.decode(
            receipt.jws,
            jwt.PyJWK(jwk, algorithm="EdDSA"),
            algorithms=["EdDSA"],
            options={"verify_iat": False},
        )
        answer = record.sync_detailed(event_id, receipt.receipt_id, client=client)
        assert answer.status_code == 200, answer.content
        assert answer.headers["content-type"] == "application/ld+json"
        linked = json.loads(answer.content)
        assert linked["@context"]["dpv"] == "https://w3id.org/dpv#"
        assert linked["dct:identifier"] == claims["consentReceiptID"] == receipt.receipt_id
        assert linked["dpv:hasNotice"]["@id"] == claims["policyUrl"]
        assert claims["policyUrl"].startswith("http")
    missing = record.sync_detailed(event_id, "no-such-receipt", client=client)
    assert missing.status_code == 404
