"""The service's receipt key: signing consent receipts (compact JWS, EdDSA over Ed25519),
publishing the public keys (RFC 7517 JWKS) and verifying a receipt against them.

The key id is the public key's RFC 7638 thumbprint, so a verifier picks the right key after a
rotation without any registry of names: the old public keys stay in
`receipt_verification_keys` until no receipt signed with them still matters.
"""

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from onceonly.domain.receipts import POLICY_PATH, RECEIPT_ISSUER, ReceiptIssuer
from onceonly.settings import Settings

ALGORITHM = "EdDSA"  # the only algorithm a receipt may carry: never "none", never HS*
# A receipt is a record of a decision, not a credential: it never expires, and its `iat` is
# the decision's time, which a time-skipping test server may put in the verifier's future.
_RECORD_OPTIONS: Any = {
    "require": ["iss", "iat", "consentReceiptID"],
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
}


class InvalidReceipt(ValueError):
    """A receipt that is not a JWS, or not signed by a key the verifier holds, saying why."""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The key that signs receipts now (ValueError when the setting is not an Ed25519 key)."""
    key = serialization.load_pem_private_key(settings.receipt_signing_key.encode(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("receipt_signing_key must be a PKCS8 PEM Ed25519 private key")
    return key


def verification_keys(settings: Settings) -> list[Ed25519PublicKey]:
    """Every public key a receipt may be verified with: the signing key's first, then those
    of earlier signing keys (ValueError when one is not an Ed25519 public key)."""
    keys = [signing_key(settings).public_key()]
    for pem in settings.receipt_verification_keys:
        key = serialization.load_pem_public_key(pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("receipt_verification_keys must be PEM Ed25519 public keys")
        keys.append(key)
    return keys


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as an RFC 7517 JWK (RFC 8037 OKP), with its thumbprint as `kid`."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    # RFC 7638: the required members only, in lexicographic order, without whitespace.
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    kid = _b64url(hashlib.sha256(canonical).digest())
    return {**members, "kid": kid, "use": "sig", "alg": ALGORITHM}


def key_id(key: Ed25519PublicKey) -> str:
    """The key's RFC 7638 JWK thumbprint (base64url SHA-256)."""
    return public_jwk(key)["kid"]


def public_jwks(settings: Settings) -> dict[str, list[dict[str, str]]]:
    """The JWKS agencies verify receipts with: the signing key and every verification key."""
    jwks = {public_jwk(key)["kid"]: public_jwk(key) for key in verification_keys(settings)}
    return {"keys": list(jwks.values())}


def public_key_pem(settings: Settings) -> str:
    """The current signing key's public half (SubjectPublicKeyInfo PEM)."""
    return (
        signing_key(settings)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def receipt_issuer(settings: Settings) -> ReceiptIssuer:
    """What the service's settings add to every receipt: its controllers and notices."""
    return ReceiptIssuer(
        policy_url=f"{settings.public_base_url}{POLICY_PATH}",
        operator=settings.receipt_controller,
        agency_controllers=settings.agency_controllers,
    )


def sign_receipt(settings: Settings, claims: Mapping[str, Any]) -> str:
    """The claims as a compact JWS signed with the current key, its thumbprint as `kid`."""
    key = signing_key(settings)
    return jwt.encode(
        dict(claims), key, algorithm=ALGORITHM, headers={"kid": key_id(key.public_key())}
    )


def verify_receipt(jws: str, jwks: Mapping[str, Any]) -> dict[str, Any]:
    """The claims of a receipt signed by a key of `jwks`, or InvalidReceipt saying why not:
    not a JWS, a wrong algorithm, an unknown key id, a bad signature or a wrong issuer.
    """
    try:
        header = jwt.get_unverified_header(jws)
    except jwt.PyJWTError:
        raise InvalidReceipt(
            "not a JWS: expected a compact JWS (header.payload.signature)"
        ) from None
    # Checked before any key is chosen, so no algorithm confusion can reach the verifier.
    if header.get("alg") != ALGORITHM:
        raise InvalidReceipt(f"wrong alg: receipts are signed with {ALGORITHM} only")
    kid = header.get("kid")
    jwk = next((key for key in jwks.get("keys", ()) if key.get("kid") == kid), None)
    if not isinstance(kid, str) or jwk is None:
        raise InvalidReceipt("unknown kid: no published key has the receipt's key id")
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise InvalidReceipt("unknown kid: the published key with this id is not Ed25519")
    try:
        key = jwt.PyJWK(dict(jwk), algorithm=ALGORITHM)
        claims: dict[str, Any] = jwt.decode(
            jws, key, algorithms=[ALGORITHM], issuer=RECEIPT_ISSUER, options=_RECORD_OPTIONS
        )
    except jwt.InvalidSignatureError:
        raise InvalidReceipt(
            "bad signature: the receipt was altered or signed by another key"
        ) from None
    except jwt.InvalidIssuerError:
        raise InvalidReceipt(f"wrong issuer: receipts are issued by {RECEIPT_ISSUER!r}") from None
    except jwt.PyJWTError as error:
        raise InvalidReceipt(f"not a valid receipt: {error}") from None
    return claims
