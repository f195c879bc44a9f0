"""The receipt keys at well-known URLs: public, cacheable, and the keys receipts verify with;
and the mock agencies are given the same keys."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import cast

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from temporalio.client import Client

from onceonly.api.app import create_app
from onceonly.domain.catalogue import CATALOGUE, MOVE
from onceonly.domain.receipts import ReceiptRequest, receipt_claims
from onceonly.receipts import key_id, public_jwks, receipt_issuer, sign_receipt, verify_receipt
from onceonly.settings import Settings
from onceonly.supervisor import plan


def pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: Ed25519PrivateKey) -> str:
    public = key.public_key()
    encoding, form = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    return public.public_bytes(encoding, form).decode()


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # The well-known routes never reach Temporal, so any object stands in for it.
    app = create_app(settings, temporal=cast(Client, SimpleNamespace()))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        yield client


def rotated(settings: Settings) -> Settings:
    """Settings after a rotation: a new signing key, the fixture's key kept for verifying."""
    old = serialization.load_pem_private_key(settings.receipt_signing_key.encode(), None)
    assert isinstance(old, Ed25519PrivateKey)
    return settings.model_copy(
        update={
            "receipt_signing_key": pem(Ed25519PrivateKey.generate()),
            "receipt_verification_keys": [public_pem(old)],
        }
    )


async def test_the_jwks_is_public_cacheable_and_verifies_a_receipt(api, settings):
    answer = await api.get("/.well-known/jwks.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "public, max-age=300"
    assert answer.json() == public_jwks(settings)
    step = MOVE.step("update_driver_licence")
    nzta = next(agency for agency in CATALOGUE.agencies if agency.id == "nzta")
    decision = ReceiptRequest(
        event_type="move",
        event_id="move-0123456789abcdef0123456789abcdef",
        step_id=step.id,
        principal_key="3a7bd3e2360a3d29eea436fcfb7e44c7",
        decision="grant",
        decided_at=datetime.now(UTC),
        receipt_id="5f0c6a0e-8f7e-4b8e-9c4b-2a1d3e4f5a6b",
    )
    claims = receipt_claims(MOVE, step, nzta, decision, receipt_issuer(settings))
    assert verify_receipt(sign_receipt(settings, claims), answer.json()) == claims


async def test_the_pem_is_the_current_signing_keys_public_half(api, settings):
    answer = await api.get("/.well-known/consent-receipt-key.pem")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["cache-control"] == "public, max-age=300"
    assert answer.text.startswith("-----BEGIN PUBLIC KEY-----\n")
    key = serialization.load_pem_public_key(answer.content)
    assert isinstance(key, Ed25519PublicKey)
    assert key_id(key) == public_jwks(settings)["keys"][0]["kid"]


async def test_after_a_rotation_both_keys_are_published_and_the_pem_is_the_new_one(settings):
    after = rotated(settings)
    app = create_app(after, temporal=cast(Client, SimpleNamespace()))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        jwks = (await client.get("/.well-known/jwks.json")).json()
        pem_text = (await client.get("/.well-known/consent-receipt-key.pem")).text
    [old_kid] = [key["kid"] for key in public_jwks(settings)["keys"]]
    new = serialization.load_pem_public_key(pem_text.encode())
    assert isinstance(new, Ed25519PublicKey)
    assert [key["kid"] for key in jwks["keys"]] == [key_id(new), old_kid]


def test_the_routes_are_in_the_openapi_document_without_security(settings):
    document = create_app(settings, temporal=cast(Client, SimpleNamespace())).openapi()
    for path in ("/.well-known/jwks.json", "/.well-known/consent-receipt-key.pem"):
        operation = document["paths"][path]["get"]
        assert "security" not in operation
    pem_content = document["paths"]["/.well-known/consent-receipt-key.pem"]["get"]["responses"]
    assert "text/plain" in pem_content["200"]["content"]


def test_the_mock_agencies_get_the_published_keys(settings):
    # A remote Temporal, so the plan has no dev server (and needs no temporal binary).
    remote = rotated(settings).model_copy(update={"temporal_address": "temporal.example:7233"})
    [agencies] = [child for child in plan(remote) if child.name == "agencies"]
    assert json.loads(agencies.env["MOCK_RECEIPT_JWKS"]) == public_jwks(remote)
    assert len(public_jwks(remote)["keys"]) == 2
    assert agencies.env["MOCK_IRD_API_KEY"] == remote.agency_api_keys["ird"]
