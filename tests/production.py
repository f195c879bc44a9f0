"""Production settings for tests: a value of our own (never a development one) for every
secret, key and login that production mode checks, as environment variables.
"""

import base64
import json
import os
import secrets
from collections.abc import Callable, Mapping
from unittest import mock

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from onceonly.receipts import public_key_pem
from onceonly.settings import AGENCIES, DEV_PAYLOAD_KEY, DEV_RECEIPT_SIGNING_KEY, Settings


def ed25519_pem() -> str:
    """A fresh Ed25519 private key, PKCS8 PEM."""
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def own_secrets() -> dict[str, str]:
    """Every setting production mode checks, with a fresh value of our own, the database
    included (nothing listens there: the checks make no connection)."""
    return {
        "ONCEONLY_ENVIRONMENT": "production",
        "ONCEONLY_JWT_SECRET": secrets.token_urlsafe(32),
        "ONCEONLY_CITIZEN_KEY_SECRET": secrets.token_urlsafe(32),
        "ONCEONLY_PAYLOAD_KEYS": "own1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "ONCEONLY_RECEIPT_SIGNING_KEY": ed25519_pem(),
        "ONCEONLY_AGENCY_API_KEYS": json.dumps(
            {agency: secrets.token_urlsafe(16) for agency in AGENCIES}
        ),
        "ONCEONLY_AGENCY_CALLBACK_SECRETS": json.dumps(
            {agency: secrets.token_urlsafe(16) for agency in AGENCIES}
        ),
        "ONCEONLY_MOCKS_ADMIN_KEY": secrets.token_urlsafe(16),
        "ONCEONLY_PORTAL_DEV_LOGIN": "false",
        "ONCEONLY_DATABASE_URL": "postgresql://onceonly:own-password@127.0.0.1:1/onceonly",
    }


def settings_from(env: Mapping[str, str]) -> Settings:
    """The settings a process started with exactly `env` reads."""
    with mock.patch.dict(os.environ, env, clear=True):
        return Settings()


def _one_agency(env: dict[str, str], name: str, development: str) -> dict[str, str]:
    values = json.loads(env[name])
    values["ird"] = development
    return {**env, name: json.dumps(values)}


DEVELOPMENT_VALUES: dict[str, Callable[[dict[str, str]], dict[str, str]]] = {
    # Unset: the development default is in force.
    "ONCEONLY_JWT_SECRET": lambda env: _without(env, "ONCEONLY_JWT_SECRET"),
    "ONCEONLY_CITIZEN_KEY_SECRET": lambda env: _without(env, "ONCEONLY_CITIZEN_KEY_SECRET"),
    "ONCEONLY_RECEIPT_SIGNING_KEY": lambda env: _without(env, "ONCEONLY_RECEIPT_SIGNING_KEY"),
    "ONCEONLY_MOCKS_ADMIN_KEY": lambda env: _without(env, "ONCEONLY_MOCKS_ADMIN_KEY"),
    "ONCEONLY_PORTAL_DEV_LOGIN": lambda env: _without(env, "ONCEONLY_PORTAL_DEV_LOGIN"),
    # Kept among keys of one's own: it still decrypts, so anyone could write payloads.
    "ONCEONLY_PAYLOAD_KEYS": lambda env: {
        **env,
        "ONCEONLY_PAYLOAD_KEYS": env["ONCEONLY_PAYLOAD_KEYS"] + ",old:" + DEV_PAYLOAD_KEY[3:],
    },
    "ONCEONLY_RECEIPT_VERIFICATION_KEYS": lambda env: {
        **env,
        "ONCEONLY_RECEIPT_VERIFICATION_KEYS": json.dumps(
            [public_key_pem(Settings(receipt_signing_key=DEV_RECEIPT_SIGNING_KEY))]
        ),
    },
    # Set at all: the statistics would publish a month under way.
    "ONCEONLY_STATISTICS_AS_OF": lambda env: {**env, "ONCEONLY_STATISTICS_AS_OF": "2027-01-01"},
    # One agency's development value among values of one's own.
    "ONCEONLY_AGENCY_CALLBACK_SECRETS": lambda env: _one_agency(
        env, "ONCEONLY_AGENCY_CALLBACK_SECRETS", "dev-ird-callback-secret"
    ),
    # Another agency's development key is as public as the agency's own.
    "ONCEONLY_AGENCY_API_KEYS": lambda env: _one_agency(
        env, "ONCEONLY_AGENCY_API_KEYS", "dev-bdm-key"
    ),
}
"""For each setting production refuses at its development value, how to put it back there
in an environment that is otherwise production's."""


def _without(env: dict[str, str], name: str) -> dict[str, str]:
    return {key: value for key, value in env.items() if key != name}
