"""Consent receipts as onceonly signs them, for the mock agencies' tests: a signing key and
the JWKS the mocks are given, and a step's receipt with its claims (changed where a test says).
"""

import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

from onceonly.domain.catalogue import BIRTH, DEATH, MOVE, LifeEventSpec, StepSpec
from tests.adapters.built_in import BATCH_FILE_AGENCIES, BUILT_IN_WORK_QUEUES

KEY = Ed25519PrivateKey.generate()
KID = "receipts-2026-11"


def jwk(public: Ed25519PublicKey, kid: str) -> dict[str, str]:
    """A public key as onceonly publishes it in its JWKS."""
    return {**json.loads(OKPAlgorithm.to_jwk(public)), "kid": kid, "use": "sig", "alg": "EdDSA"}


JWKS = json.dumps({"keys": [jwk(KEY.public_key(), KID)]})
EVENTS = (BIRTH, MOVE, DEATH)
STEPS: dict[str, tuple[LifeEventSpec, StepSpec]] = {
    step.id: (event, step)
    for event in EVENTS
    for step in event.steps
    # A batch-file agency is sent no receipt with its file (docs/agencies.md), and a work
    # queue's staff read theirs in the inbox (tests/integration/test_staff_inbox_api.py): no
    # mock's gate to test.
    if step.agency not in (*BATCH_FILE_AGENCIES, *BUILT_IN_WORK_QUEUES)
}


def claims(step_id: str, **onceonly: Any) -> dict[str, Any]:
    """A receipt's claims for the step's decision (the design's Kantara fields and ours);
    `onceonly` changes what our own claims say."""
    event, step = STEPS[step_id]
    decision = "grant" if step.legal_basis.kind == "consent" else "acknowledge"
    now = int(time.time())
    purpose = {"purpose": step.purpose, "purposeCategory": [step.id], "consentType": "EXPLICIT"}
    return {
        "iss": "onceonly",
        "iat": now,
        "version": "KI-CR-v1.1.0",
        "jurisdiction": "NZ",
        "consentTimestamp": now,
        "consentReceiptID": "0b7e6f0e-3c1d-4b8e-9a55-1e2d3c4b5a69",
        "piiPrincipalId": "c" * 64,
        "piiControllers": [{"piiController": step.agency, "controllerId": step.agency}],
        "services": [{"service": step.service, "purposes": [purpose | {"piiCategory": []}]}],
        "onceonly": {
            "event_id": f"{event.event_type}-{'e' * 32}",
            "step_id": step.id,
            "agency": step.agency,
            "service": step.service,
            "decision": decision,
            "legal_basis": step.legal_basis.model_dump(mode="json"),
            "notice_version": event.notice_version,
            "fields": list(step.fields),
            "note": None,
        }
        | onceonly,
    }


def sign(claims: dict[str, Any], key: Ed25519PrivateKey = KEY, kid: str = KID) -> str:
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})


def receipt(step_id: str, **onceonly: Any) -> str:
    return sign(claims(step_id, **onceonly))
