"""`onceonly keys`: the keys and secrets a deployment generates or derives, printed for its
configuration.

`onceonly keys generate` prints a fresh set of every variable `docker-compose.yml` requires, as
an env file (`onceonly keys generate > .env`, which compose reads). `onceonly keys jwks` prints
the receipt keys' public halves as a JWKS, derived from the settings in force: what an agency
verifies consent receipts with (the mock agencies' `MOCK_RECEIPT_JWKS`), after a rotation too.
"""

import argparse
import base64
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from onceonly.receipts import public_jwk, public_jwks
from onceonly.settings import AGENCIES, get_settings

SECRET_BYTES = 32  # 256 bits of entropy for every shared secret and password


def agency_api_key_variable(agency: str) -> str:
    """The compose variable holding the API key an agency issued: compose gives it to both
    sides (onceonly's `ONCEONLY_AGENCY_API_KEYS`, the mocks' `MOCK_<AGENCY>_API_KEY`)."""
    return f"AGENCY_{agency.upper()}_API_KEY"


def _receipt_signing_key() -> tuple[str, str]:
    """A new Ed25519 signing key (PKCS8 PEM) and the JWKS of its public half."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return pem, json.dumps({"keys": [public_jwk(key.public_key())]})


def generate_secrets(today: datetime | None = None) -> dict[str, str]:
    """Every secret `docker-compose.yml` requires, freshly generated, by variable name.

    Values hold URL-safe characters only (they go into a database URL and into JSON that
    compose assembles), except the signing key's PEM lines.
    """
    day = (today or datetime.now(UTC)).strftime("%Y%m%d")
    payload_key = base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()
    signing_key, jwks = _receipt_signing_key()
    values = {
        "POSTGRES_PASSWORD": secrets.token_urlsafe(SECRET_BYTES),
        "ONCEONLY_DB_PASSWORD": secrets.token_urlsafe(SECRET_BYTES),
        "ONCEONLY_JWT_SECRET": secrets.token_urlsafe(SECRET_BYTES),
        "ONCEONLY_CITIZEN_KEY_SECRET": secrets.token_urlsafe(SECRET_BYTES),
        # The key id says when the key was made: the next rotation's key gets a new one.
        "ONCEONLY_PAYLOAD_KEYS": f"p{day}:{payload_key}",
        "ONCEONLY_RECEIPT_SIGNING_KEY": signing_key,
        "MOCK_RECEIPT_JWKS": jwks,
        "ONCEONLY_AGENCY_CALLBACK_SECRETS": json.dumps(
            {agency: secrets.token_urlsafe(SECRET_BYTES) for agency in AGENCIES}
        ),
        "ONCEONLY_MOCKS_ADMIN_KEY": secrets.token_urlsafe(SECRET_BYTES),
    }
    for agency in AGENCIES:
        values[agency_api_key_variable(agency)] = secrets.token_urlsafe(SECRET_BYTES)
    return values


def env_file_line(name: str, value: str) -> str:
    """`NAME='value'` as compose reads env files: single quotes keep JSON literal; a
    multi-line value (a PEM) goes in double quotes with `\\n` escapes, which compose expands
    (a shell would not). ValueError for a value neither form carries unchanged."""
    if not any(char in value for char in "\n'\\"):
        return f"{name}='{value}'"
    if not any(char in value for char in '"\\$'):
        return f'{name}="{value.replace(chr(10), chr(92) + "n")}"'
    raise ValueError(
        f"{name}: no quoting carries this value unchanged (it holds \\, or \" or $ with ' "
        "or a line break)"
    )


def env_file(values: dict[str, str]) -> str:
    """The values as an env file, one `NAME='value'` line each."""
    header = (
        "# Secrets for docker-compose.yml, made by `onceonly keys generate`: keep this file\n"
        "# private (compose reads it as .env). docs/deployment.md says how to rotate.\n"
    )
    return header + "".join(env_file_line(name, value) + "\n" for name, value in values.items())


def _generate(_: argparse.Namespace) -> int:
    print(env_file(generate_secrets()), end="")
    return 0


def _jwks(_: argparse.Namespace) -> int:
    jwks: dict[str, Any] = public_jwks(get_settings())
    print(json.dumps(jwks))
    return 0


def add_keys_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """`onceonly keys generate|jwks`."""
    keys = commands.add_parser("keys", help="generate a deployment's secrets, derive public keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    key_commands.add_parser(
        "generate",
        help="print fresh values for every secret docker-compose.yml requires, as an env file",
    ).set_defaults(run=_generate)
    key_commands.add_parser(
        "jwks",
        help="print the receipt keys' public halves (JWKS) from ONCEONLY_RECEIPT_SIGNING_KEY "
        "and ONCEONLY_RECEIPT_VERIFICATION_KEYS: the mocks' MOCK_RECEIPT_JWKS",
    ).set_defaults(run=_jwks)
