"""`onceonly keys`: a fresh, well-formed set of every secret compose requires, written as an
env file compose reads back unchanged; the receipt keys' public halves as a JWKS.
"""

import io
import json
import os
import re
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dotenv import dotenv_values

from onceonly.codec import parse_keyring
from onceonly.keys import agency_api_key_variable, env_file, env_file_line, generate_secrets
from onceonly.receipts import public_jwks, public_key_pem
from onceonly.settings import AGENCIES, Settings

URL_SAFE = re.compile(r"[A-Za-z0-9_-]{43,}")  # 32 random bytes, base64url


def _pem() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def _onceonly(*argv: str, env: dict[str, str]) -> str:
    return subprocess.run(
        [sys.executable, "-m", "onceonly", *argv],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"], **env},
    ).stdout


def test_generated_secrets_are_fresh_and_each_is_well_formed():
    first, second = generate_secrets(), generate_secrets()
    assert first.keys() == second.keys()
    assert not set(first.values()) & set(second.values())
    assert len(set(first.values())) == len(first)
    passwords = ("POSTGRES_PASSWORD", "ONCEONLY_DB_PASSWORD", "ONCEONLY_MOCKS_ADMIN_KEY")
    for name in (*passwords, "ONCEONLY_JWT_SECRET", "ONCEONLY_CITIZEN_KEY_SECRET"):
        assert URL_SAFE.fullmatch(first[name]), name
    for agency in AGENCIES:
        assert URL_SAFE.fullmatch(first[agency_api_key_variable(agency)]), agency
    callback_secrets = json.loads(first["ONCEONLY_AGENCY_CALLBACK_SECRETS"])
    assert set(callback_secrets) == set(AGENCIES)
    assert all(URL_SAFE.fullmatch(secret) for secret in callback_secrets.values())
    assert [len(key) for key in parse_keyring(first["ONCEONLY_PAYLOAD_KEYS"]).values()] == [32]


def test_the_generated_jwks_is_the_public_half_of_the_generated_signing_key():
    values = generate_secrets()
    settings = Settings(receipt_signing_key=values["ONCEONLY_RECEIPT_SIGNING_KEY"])
    assert json.loads(values["MOCK_RECEIPT_JWKS"]) == public_jwks(settings)


def test_the_env_file_reads_back_unchanged_as_compose_reads_it():
    values = generate_secrets()
    text = env_file(values)
    assert dotenv_values(stream=io.StringIO(text)) == values
    assert "\n-----END PRIVATE KEY-----" not in text  # one line per variable


def test_a_value_that_no_quoting_carries_is_refused_naming_it():
    assert env_file_line("A", '{"x": 1}') == "A='{\"x\": 1}'"
    assert env_file_line("PEM", "line 1\nline 2\n") == 'PEM="line 1\\nline 2\\n"'
    assert env_file_line("B", "it's") == 'B="it\'s"'
    for value in ('line "1"\nline 2', "a\\b", "$x\n"):
        with pytest.raises(ValueError, match=r"^C: no quoting carries this value"):
            env_file_line("C", value)


def test_onceonly_keys_generate_prints_the_env_file():
    printed = dotenv_values(stream=io.StringIO(_onceonly("keys", "generate", env={})))
    assert printed.keys() == generate_secrets().keys()


def test_onceonly_keys_jwks_publishes_the_signing_key_and_the_earlier_ones():
    current, earlier = _pem(), _pem()
    earlier_public = public_key_pem(Settings(receipt_signing_key=earlier))
    env = {
        "ONCEONLY_RECEIPT_SIGNING_KEY": current,
        "ONCEONLY_RECEIPT_VERIFICATION_KEYS": json.dumps([earlier_public]),
    }
    printed = json.loads(_onceonly("keys", "jwks", env=env))
    expected = Settings(receipt_signing_key=current, receipt_verification_keys=[earlier_public])
    assert printed == public_jwks(expected)
    assert len(printed["keys"]) == 2
