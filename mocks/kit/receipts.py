"""The consent receipt gate: every mock agency checks that a submission carries the signed
receipt of the citizen's decision that allows it, and that the receipt covers what it sends.

The gate is on only when the mocks' environment holds `MOCK_RECEIPT_JWKS`: the JSON Web Key
Set of Ed25519 public keys onceonly serves at `/.well-known/jwks.json`. Without it (unit
tests, a demo started before receipts existed) no receipt is asked for.

With it, a submission must carry `Consent-Receipt: <compact JWS>`, signed EdDSA by a key of
the set (named by the JWS header's `kid`; `none` and HMAC are refused), issued by onceonly,
whose `onceonly` claims name this agency and this service, record a `grant` or an
`acknowledge`, and list in `fields` every canonical field the body is made from. Each
service says what its body is made from in a `Coverage` table. Refusals are 403 in the
agency's own error shape, about the `Consent-Receipt` header; they name the rule and at most
an agency field, never the receipt or a value. Every request is checked, an idempotent
repeat included: a repeat is a new request and carries its receipt again.
"""

import json
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ValidationError

from mocks.kit.agency import (
    SUBMITTING_DECISIONS,
    Coverage,
    Problem,
    ReceiptCheck,
    ServedAgency,
)

RECEIPT_HEADER = "Consent-Receipt"
"""The header a submission carries its consent receipt in."""
JWKS_ENV = "MOCK_RECEIPT_JWKS"
"""The environment variable holding onceonly's receipt keys; the gate is off without it."""
# A receipt records a decision; it is no credential, so it never expires. Its `iat` is the
# decision's time, which a time-skipping test server may put in the agency's future.
_RECORD_OPTIONS: Any = {"require": ["iss", "iat"], "verify_exp": False, "verify_iat": False}

ReceiptKeys = Mapping[str, Ed25519PublicKey]
"""onceonly's receipt-signing public keys, by key id."""


class OnceonlyClaims(BaseModel):
    """The part of a receipt's `onceonly` claims the gate reads (the rest is ignored)."""

    agency: str
    service: str
    decision: str
    fields: list[str]


def receipt_keys(jwks: str) -> dict[str, Ed25519PublicKey]:
    """The public keys of a JWKS, by key id; ValueError unless every key is an Ed25519
    public key with a `kid` (the mocks refuse to start on a set they cannot use)."""
    try:
        key_set = jwt.PyJWKSet.from_json(jwks)
    except (jwt.PyJWTError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{JWKS_ENV} is not a usable JWKS ({type(error).__name__})") from None
    keys: dict[str, Ed25519PublicKey] = {}
    for jwk in key_set.keys:
        if not isinstance(jwk.key, Ed25519PublicKey) or not jwk.key_id:
            raise ValueError(f"{JWKS_ENV} must hold Ed25519 public keys, each with a kid")
        keys[jwk.key_id] = jwk.key
    return keys


def receipt_keys_from_env(environ: Mapping[str, str]) -> dict[str, Ed25519PublicKey] | None:
    """onceonly's receipt keys from `MOCK_RECEIPT_JWKS`, or None (no gate) when it is unset."""
    jwks = environ.get(JWKS_ENV)
    return None if jwks is None else receipt_keys(jwks)


def verified_claims(receipt: str, keys: ReceiptKeys) -> dict[str, Any] | None:
    """The receipt's claims when its EdDSA signature verifies with the key its `kid` names
    and onceonly issued it; None otherwise."""
    try:
        key = keys.get(jwt.get_unverified_header(receipt).get("kid", ""))
        if key is None:
            return None
        # Only EdDSA: a token saying `none`, or HS256 keyed with the public key, fails here.
        claims: dict[str, Any] = jwt.decode(
            receipt,
            key,
            algorithms=["EdDSA"],
            issuer="onceonly",
            options=_RECORD_OPTIONS,
        )
    except (jwt.PyJWTError, TypeError, AttributeError):
        return None
    return claims


def uncovered_fields(
    body: Mapping[str, Any], coverage: Coverage, covered: frozenset[str], prefix: str = ""
) -> list[str]:
    """The body's fields (agency paths) made from a canonical field not in `covered`, or
    that the table does not name. A null discloses nothing, so it needs no cover."""
    uncovered = []
    for name, value in body.items():
        if value is None:
            continue
        path = f"{prefix}{name}"
        sources = coverage.sources_of(path)
        if sources is not None:
            if not covered.issuperset(sources):
                uncovered.append(path)
        elif isinstance(value, Mapping):
            uncovered += uncovered_fields(value, coverage, covered, f"{path}.")
        else:
            uncovered.append(path)
    return uncovered


def disallowed(
    claims: OnceonlyClaims, agency: str, service: str, decisions: frozenset[str]
) -> str | None:
    """Why a verified receipt does not allow a request (recording one of `decisions`) to the
    agency's service, whatever the body holds; None when it allows one."""
    if claims.agency != agency:
        return "the receipt is for another agency"
    if claims.service != service:
        return "the receipt is for another service"
    if claims.decision not in decisions:
        return f"the receipt must record one of: {', '.join(sorted(decisions))}"
    return None


def receipt_problems(
    receipt: str | None,
    keys: ReceiptKeys,
    agency: str,
    coverage: Coverage,
    body: Mapping[str, Any],
    *,
    decisions: frozenset[str] = SUBMITTING_DECISIONS,
) -> list[Problem]:
    """Why the receipt does not allow this submission to the agency's service (empty when
    it does), in the order the module docstring gives the rules."""

    def problem(message: str) -> list[Problem]:
        return [Problem(RECEIPT_HEADER, message)]

    if not receipt:
        return problem("the header is required: the consent receipt that allows the submission")
    claims = verified_claims(receipt, keys)
    if claims is None:
        return problem("the receipt must be an EdDSA JWS that verifies with onceonly's keys")
    try:
        allowed = OnceonlyClaims.model_validate(claims.get("onceonly"))
    except ValidationError:
        return problem("the receipt must hold onceonly's agency, service, decision and fields")
    refusal = disallowed(allowed, agency, coverage.service, decisions)
    if refusal is not None:
        return problem(refusal)
    uncovered = uncovered_fields(body, coverage, frozenset(allowed.fields))
    return [Problem(RECEIPT_HEADER, f"the receipt does not cover {path}") for path in uncovered]


def receipt_check(
    agency: ServedAgency, coverages: Mapping[str, Coverage], keys: ReceiptKeys
) -> ReceiptCheck:
    """The agency's receipt gate, given its services' coverage tables by service path.

    ValueError when a service has no table: a gate that cannot check a service must not
    start, rather than let its submissions through or refuse them all.
    """
    missing = [s.path for s in agency.services if s.path not in coverages]
    if missing:
        raise ValueError(f"{agency.name} has no receipt coverage for {', '.join(missing)}")

    def check(
        path: str, headers: Mapping[str, str], body: Any, decisions: frozenset[str]
    ) -> list[Problem]:
        receipt = headers.get(RECEIPT_HEADER)
        return receipt_problems(
            receipt, keys, agency.name, coverages[path], body, decisions=decisions
        )

    return check
