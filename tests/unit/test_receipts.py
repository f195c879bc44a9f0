"""Consent receipts: the claims each decision makes, signed with the service's Ed25519 key,
verified against the published JWKS, and every forgery refused."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError
from structlog.testing import capture_logs
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.receipts import ReceiptSigner
from onceonly.domain.catalogue import BIRTH, CATALOGUE, MOVE
from onceonly.domain.controllers import Controller
from onceonly.domain.receipts import (
    ReceiptIssuer,
    ReceiptRequest,
    SignedReceipt,
    receipt_claims,
    termination,
)
from onceonly.receipts import (
    InvalidReceipt,
    key_id,
    public_jwk,
    public_jwks,
    receipt_issuer,
    sign_receipt,
    verify_receipt,
)
from onceonly.settings import Settings

RECEIPT_ID = "5f0c6a0e-8f7e-4b8e-9c4b-2a1d3e4f5a6b"
PRINCIPAL = "3a7bd3e2360a3d29eea436fcfb7e44c7"
DECIDED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=timezone(timedelta(hours=13)))
DECIDED_EPOCH = 1796070600  # 2026-11-30T20:30:00Z
OPERATOR = Controller(
    name="Te Tari Taiwhenua (onceonly)",
    contact="Privacy Officer",
    address="45 Pipitea Street, Thorndon, Wellington 6011",
    email="privacy@onceonly.example",
    phone="+64 4 495 7200",
    url="https://onceonly.example",
)
NZTA = Controller(
    name="NZ Transport Agency (Waka Kotahi)",
    contact="Privacy Officer",
    address="Private Bag 6995, Wellington 6141",
    email="privacy@nzta.example",
    phone="0800 822 422",
)
ISSUER = ReceiptIssuer(
    policy_url="https://onceonly.example/v1/catalogue",
    operator=OPERATOR,
    agency_controllers={"nzta": NZTA},
)
OPERATOR_CLAIMS = {
    "piiController": "Te Tari Taiwhenua (onceonly)",
    "onBehalf": True,
    "contact": "Privacy Officer",
    "address": "45 Pipitea Street, Thorndon, Wellington 6011",
    "email": "privacy@onceonly.example",
    "phone": "+64 4 495 7200",
    "piiControllerUrl": "https://onceonly.example",
    "controllerId": "onceonly",
}


def receipt_request(
    event_type: str, step_id: str, decision: str = "grant", **more
) -> ReceiptRequest:
    return ReceiptRequest(
        event_type=event_type,
        event_id=f"{event_type}-0123456789abcdef0123456789abcdef",
        step_id=step_id,
        principal_key=PRINCIPAL,
        decision=decision,
        decided_at=DECIDED_AT,
        receipt_id=RECEIPT_ID,
        **more,
    )


def agency(agency_id: str):
    return next(agency for agency in CATALOGUE.agencies if agency.id == agency_id)


def pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segments(jws: str) -> tuple[dict, dict, str]:
    header, payload, signature = jws.split(".")
    return json.loads(unb64(header)), json.loads(unb64(payload)), signature


def encoded(part: dict) -> str:
    return b64(json.dumps(part, separators=(",", ":")).encode())


def joined(header: dict, payload: dict, signature: str) -> str:
    return f"{encoded(header)}.{encoded(payload)}.{signature}"


# --- claims ---------------------------------------------------------------------------------


def test_a_consent_steps_grant_makes_an_explicit_receipt():
    step = MOVE.step("update_driver_licence")
    claims = receipt_claims(MOVE, step, agency("nzta"), receipt_request("move", step.id), ISSUER)
    assert claims == {
        "iss": "onceonly",
        "iat": DECIDED_EPOCH,
        "version": "KI-CR-v1.1.0",
        "jurisdiction": "NZ",
        "consentTimestamp": DECIDED_EPOCH,
        "collectionMethod": "onceonly consent checkpoint, citizen API",
        "consentReceiptID": RECEIPT_ID,
        "language": "en",
        "piiPrincipalId": PRINCIPAL,
        "piiControllers": [
            {
                "piiController": "NZ Transport Agency (Waka Kotahi)",
                "onBehalf": False,
                "contact": "Privacy Officer",
                "address": "Private Bag 6995, Wellington 6141",
                "email": "privacy@nzta.example",
                "phone": "0800 822 422",
                "controllerId": "nzta",
            },
            OPERATOR_CLAIMS,
        ],
        "policyUrl": "https://onceonly.example/v1/catalogue",
        "services": [
            {
                "service": "driver-licence-address",
                "purposes": [
                    {
                        "purpose": "Update the address on your driver licence record, where "
                        "NZTA sends renewals and notices.",
                        "purposeCategory": ["update_driver_licence"],
                        "consentType": "EXPLICIT",
                        "piiCategory": [
                            "mover.name",
                            "mover.date_of_birth",
                            "mover.driver_licence",
                            "new_address",
                        ],
                        "primaryPurpose": True,
                        "termination": "until you withdraw it, or the step ends",
                        "thirdPartyDisclosure": False,
                    }
                ],
            }
        ],
        "sensitive": False,
        "spiCat": [],
        "onceonly": {
            "event_id": "move-0123456789abcdef0123456789abcdef",
            "step_id": "update_driver_licence",
            "agency": "nzta",
            "service": "driver-licence-address",
            "decision": "grant",
            "legal_basis": {
                "kind": "consent",
                "reference": "Your consent, given at this checkpoint",
            },
            "notice_version": "2026-11-25",
            "fields": ["mover.name", "mover.date_of_birth", "mover.driver_licence", "new_address"],
            "note": None,
        },
    }


def test_a_statutory_steps_acknowledgement_records_the_statute_and_what_the_law_keeps():
    step = BIRTH.step("register_birth")
    decision = receipt_request("birth", step.id, "acknowledge", note="Both parents acknowledged.")
    claims = receipt_claims(BIRTH, step, agency("bdm"), decision, ISSUER)
    act = "Births, Deaths, Marriages, and Relationships Registration Act 2021"
    fields = [
        "child.name",
        "child.date_of_birth",
        "child.sex",
        "child.place_of_birth",
        "birth_parent.name",
        "birth_parent.date_of_birth",
        "other_parent.name",
        "other_parent.date_of_birth",
        "address",
        "multiple_birth.plurality",
        "multiple_birth.birth_order",
    ]
    assert claims == {
        "iss": "onceonly",
        "iat": DECIDED_EPOCH,
        "version": "KI-CR-v1.1.0",
        "jurisdiction": "NZ",
        "consentTimestamp": DECIDED_EPOCH,
        "collectionMethod": "onceonly consent checkpoint, citizen API",
        "consentReceiptID": RECEIPT_ID,
        "language": "en",
        "piiPrincipalId": PRINCIPAL,
        "piiControllers": [
            {
                # No contact of its own is set: BDM is reached through the operator.
                "piiController": "Births, Deaths and Marriages (Te Tari Taiwhenua DIA)",
                "onBehalf": False,
                "contact": "Privacy Officer, for Births, Deaths and Marriages (Te Tari "
                "Taiwhenua DIA)",
                "address": "45 Pipitea Street, Thorndon, Wellington 6011",
                "email": "privacy@onceonly.example",
                "phone": "+64 4 495 7200",
                "piiControllerUrl": "https://onceonly.example",
                "controllerId": "bdm",
            },
            OPERATOR_CLAIMS,
        ],
        "policyUrl": "https://onceonly.example/v1/catalogue",
        "services": [
            {
                "service": "birth-registration",
                "purposes": [
                    {
                        "purpose": "Register the birth, which gives your baby a birth "
                        "registration number.",
                        "purposeCategory": ["register_birth"],
                        "consentType": "STATUTORY",
                        "piiCategory": fields,
                        "primaryPurpose": True,
                        "termination": f"set by law, not by consent ({act}, s 11): when the "
                        "step ends. The birth register is permanent: a registered birth "
                        f"cannot be withdrawn ({act}).",
                        "thirdPartyDisclosure": False,
                    }
                ],
            }
        ],
        "sensitive": False,
        "spiCat": [],
        "onceonly": {
            "event_id": "birth-0123456789abcdef0123456789abcdef",
            "step_id": "register_birth",
            "agency": "bdm",
            "service": "birth-registration",
            "decision": "acknowledge",
            "legal_basis": {"kind": "statute", "reference": f"{act}, s 11"},
            "notice_version": "2026-11-25",
            "fields": fields,
            "note": "Both parents acknowledged.",
        },
    }


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        ("decline", "never started: it was declined, so nothing is sent"),
        ("expire", "never started: the checkpoint expired unanswered, so nothing is sent"),
        ("withdraw", "ended when you withdrew it: nothing more is sent"),
    ],
)
def test_termination_says_plainly_when_nothing_is_or_will_be_sent(decision, expected):
    assert termination(MOVE.step("update_ird_address"), decision) == expected


def test_a_withdrawal_says_what_the_agency_keeps_by_law():
    words = termination(BIRTH.step("register_birth"), "withdraw")
    assert words == (
        "ended when you withdrew it: nothing more is sent. The birth register is permanent: a "
        "registered birth cannot be withdrawn (Births, Deaths, Marriages, and Relationships "
        "Registration Act 2021)."
    )


def test_claims_refuse_a_step_of_another_agency_or_event():
    step = MOVE.step("update_driver_licence")
    with pytest.raises(ValueError, match="goes to 'nzta'"):
        receipt_claims(MOVE, step, agency("ird"), receipt_request("move", step.id), ISSUER)
    with pytest.raises(ValueError, match="not this step"):
        receipt_claims(BIRTH, step, agency("nzta"), receipt_request("move", step.id), ISSUER)


def test_a_request_needs_an_aware_time_and_a_known_decision():
    naive = {**receipt_request("move", "x").model_dump(), "decided_at": datetime(2026, 12, 1)}
    with pytest.raises(ValidationError, match="decided_at"):
        ReceiptRequest.model_validate(naive)
    with pytest.raises(ValidationError, match="decision"):
        receipt_request("move", "update_driver_licence", "maybe")
    with pytest.raises(ValidationError, match="extra"):
        ReceiptRequest.model_validate(
            {**receipt_request("move", "x").model_dump(), "name": "Aroha"}
        )


# --- signing and verifying ------------------------------------------------------------------


@pytest.fixture
def claims() -> dict:
    step = MOVE.step("update_driver_licence")
    return receipt_claims(MOVE, step, agency("nzta"), receipt_request("move", step.id), ISSUER)


def test_the_kid_is_the_rfc_7638_thumbprint():
    # RFC 8037, appendix A: the Ed25519 key and its thumbprint.
    d = unb64("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
    public = Ed25519PrivateKey.from_private_bytes(d).public_key()
    assert public_jwk(public)["x"] == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    assert key_id(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_a_signed_receipt_verifies_with_the_published_jwks(settings, claims):
    jws = sign_receipt(settings, claims)
    header, _, _ = segments(jws)
    [jwk] = public_jwks(settings)["keys"]
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": jwk["kid"]}
    assert jwk.keys() == {"kty", "crv", "x", "kid", "use", "alg"}
    assert (jwk["kty"], jwk["crv"], jwk["use"], jwk["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA")
    assert verify_receipt(jws, public_jwks(settings)) == claims


def test_a_receipt_dated_in_the_verifiers_future_still_verifies(settings, claims):
    # A time-skipping test server decides "days from now": a receipt is a record, not a token.
    later = int((datetime.now(UTC) + timedelta(days=40)).timestamp())
    future = {**claims, "iat": later, "consentTimestamp": later}
    assert verify_receipt(sign_receipt(settings, future), public_jwks(settings)) == future


def test_a_tampered_payload_is_refused(settings, claims):
    header, payload, signature = segments(sign_receipt(settings, claims))
    payload["onceonly"]["fields"].append("mover.ird_number")
    with pytest.raises(InvalidReceipt, match="bad signature"):
        verify_receipt(joined(header, payload, signature), public_jwks(settings))


def test_a_swapped_kid_is_refused(settings, claims):
    other = Ed25519PrivateKey.generate()
    rotated = Settings(receipt_signing_key=pem(other), receipt_verification_keys=[])
    jwks = {"keys": public_jwks(settings)["keys"] + public_jwks(rotated)["keys"]}
    header, payload, signature = segments(sign_receipt(settings, claims))
    with pytest.raises(InvalidReceipt, match="bad signature"):
        verify_receipt(
            joined({**header, "kid": key_id(other.public_key())}, payload, signature), jwks
        )
    with pytest.raises(InvalidReceipt, match="unknown kid"):
        verify_receipt(joined({**header, "kid": "not-a-published-kid"}, payload, signature), jwks)
    with pytest.raises(InvalidReceipt, match="unknown kid"):
        verify_receipt(sign_receipt(rotated, claims), public_jwks(settings))


def test_alg_none_is_refused(settings, claims):
    header, payload, _ = segments(sign_receipt(settings, claims))
    with pytest.raises(InvalidReceipt, match="wrong alg"):
        verify_receipt(joined({**header, "alg": "none"}, payload, ""), public_jwks(settings))


@pytest.mark.parametrize("secret", ["pem", "x"])
def test_hs256_forged_with_the_public_key_as_secret_is_refused(settings, claims, secret):
    [jwk] = public_jwks(settings)["keys"]
    key = {"pem": public_pem_of(settings).encode(), "x": unb64(jwk["x"])}[secret]
    header = {"alg": "HS256", "typ": "JWT", "kid": jwk["kid"]}
    unsigned = joined(header, claims, "").rstrip(".")
    mac = hmac.new(key, unsigned.encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidReceipt, match="wrong alg"):
        verify_receipt(f"{unsigned}.{b64(mac)}", public_jwks(settings))


def public_pem_of(settings: Settings) -> str:
    return public_pem(
        serialization.load_pem_private_key(settings.receipt_signing_key.encode(), None)  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("text", ["", "receipt", "a.b", "!!.??.##", "e30.e30"])
def test_what_is_not_a_jws_is_refused(settings, text):
    with pytest.raises(InvalidReceipt, match="not a"):
        verify_receipt(text, public_jwks(settings))


def test_a_receipt_from_another_issuer_is_refused(settings, claims):
    with pytest.raises(InvalidReceipt, match="wrong issuer"):
        verify_receipt(sign_receipt(settings, {**claims, "iss": "x"}), public_jwks(settings))


def test_after_a_rotation_receipts_of_the_old_key_still_verify(settings, claims):
    old_receipt = sign_receipt(settings, claims)
    new_key = Ed25519PrivateKey.generate()
    rotated = Settings(
        receipt_signing_key=pem(new_key), receipt_verification_keys=[public_pem_of(settings)]
    )
    jwks = public_jwks(rotated)
    kids = [key["kid"] for key in jwks["keys"]]
    assert kids == [key_id(new_key.public_key()), segments(old_receipt)[0]["kid"]]
    assert verify_receipt(old_receipt, jwks) == claims
    new_receipt = sign_receipt(rotated, claims)
    assert segments(new_receipt)[0]["kid"] == kids[0]
    assert verify_receipt(new_receipt, jwks) == claims
    # Once the old key is dropped, its receipts no longer verify.
    dropped = Settings(receipt_signing_key=pem(new_key))
    with pytest.raises(InvalidReceipt, match="unknown kid"):
        verify_receipt(old_receipt, public_jwks(dropped))


def test_keys_that_are_not_ed25519_are_refused_clearly():
    p256 = ec.generate_private_key(ec.SECP256R1())
    ec_pem = p256.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with pytest.raises(ValueError, match="receipt_signing_key"):
        ReceiptSigner(Settings(receipt_signing_key=ec_pem))
    ec_public = p256.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(ValueError, match="receipt_verification_keys"):
        public_jwks(Settings(receipt_verification_keys=[ec_public.decode()]))


# --- the activity ---------------------------------------------------------------------------


async def test_the_activity_signs_the_catalogues_claims_and_logs_only_ids(settings):
    decision = receipt_request("move", "update_driver_licence", note="Granted on the phone app.")
    with capture_logs() as logs:
        signed = await ActivityEnvironment().run(ReceiptSigner(settings).sign_receipt, decision)
    assert isinstance(signed, SignedReceipt)
    assert (signed.receipt_id, signed.event_id, signed.step_id) == (
        RECEIPT_ID,
        decision.event_id,
        "update_driver_licence",
    )
    assert (signed.decision, signed.decided_at) == ("grant", DECIDED_AT)
    step = MOVE.step(decision.step_id)
    expected = receipt_claims(MOVE, step, agency("nzta"), decision, receipt_issuer(settings))
    assert verify_receipt(signed.jws, public_jwks(settings)) == expected
    [line] = logs
    assert line == {
        "event": "receipt.signed",
        "log_level": "info",
        "event_id": decision.event_id,
        "step_id": "update_driver_licence",
        "receipt_id": RECEIPT_ID,
        "decision": "grant",
    }
    assert PRINCIPAL not in str(logs) and "phone app" not in str(logs)


async def test_decisions_taken_together_are_signed_together_in_their_order(settings):
    requests = [
        receipt_request("move", "update_driver_licence"),
        receipt_request("move", "update_ird_address").model_copy(update={"decision": "decline"}),
    ]
    with capture_logs() as logs:
        signed = await ActivityEnvironment().run(ReceiptSigner(settings).sign_receipts, requests)
    assert logs == [  # one line for the batch, ids only
        {
            "event": "receipts.signed",
            "log_level": "info",
            "event_id": requests[0].event_id,
            "step_ids": ["update_driver_licence", "update_ird_address"],
            "receipt_ids": [RECEIPT_ID, RECEIPT_ID],
            "decisions": ["grant", "decline"],
        }
    ]
    assert [(r.step_id, r.decision) for r in signed] == [
        ("update_driver_licence", "grant"),
        ("update_ird_address", "decline"),
    ]
    for request, receipt in zip(requests, signed, strict=True):
        step = MOVE.step(request.step_id)
        expected = receipt_claims(
            MOVE, step, agency(step.agency), request, receipt_issuer(settings)
        )
        assert verify_receipt(receipt.jws, public_jwks(settings)) == expected
    # One step the catalogue lacks fails the whole batch, without retries.
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            ReceiptSigner(settings).sign_receipts,
            [*requests, receipt_request("move", "register_birth")],
        )
    assert raised.value.non_retryable


@pytest.mark.parametrize(
    ("event_type", "step_id"), [("move", "register_birth"), ("marriage", "register_birth")]
)
async def test_the_activity_fails_without_retries_for_a_step_the_catalogue_lacks(
    settings, event_type, step_id
):
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            ReceiptSigner(settings).sign_receipt, receipt_request(event_type, step_id)
        )
    assert raised.value.non_retryable
