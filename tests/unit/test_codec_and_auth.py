"""The payload codec (encryption, key rotation) and bearer tokens."""

import base64
from datetime import timedelta

import pytest
from temporalio.api.common.v1 import Payload

from onceonly.auth import InvalidToken, citizen_key, mint_token, verify_token
from onceonly.codec import ENCODING, EncryptionCodec, KeyringError, parse_keyring

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()


async def test_payloads_are_encrypted_and_decrypt_back():
    codec = EncryptionCodec(parse_keyring(NEW))
    payload = Payload(metadata={"encoding": b"json/plain"}, data=b'{"name": "Ng\xc4\x81ta"}')
    [encrypted] = await codec.encode([payload])
    assert encrypted.metadata["encoding"] == ENCODING
    assert b"Ng" not in encrypted.data
    assert await codec.decode([encrypted]) == [payload]


async def test_a_rotated_keyring_still_decrypts_what_the_old_key_encrypted():
    payload = Payload(metadata={"encoding": b"json/plain"}, data=b"{}")
    [by_old_key] = await EncryptionCodec(parse_keyring(OLD)).encode([payload])
    rotated = EncryptionCodec(parse_keyring(f"{NEW},{OLD}"))
    assert await rotated.decode([by_old_key]) == [payload]
    [by_new_key] = await rotated.encode([payload])
    assert by_new_key.metadata["encryption-key-id"] == b"new"
    with pytest.raises(KeyringError, match="unknown key id 'new'"):
        await EncryptionCodec(parse_keyring(OLD)).decode([by_new_key])


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("", "at least one key"),
        ("nokey", "key-id:base64-key"),
        ("k:!!", "not valid base64"),
        ("k:" + base64.b64encode(b"short").decode(), "16, 24 or 32 bytes"),
    ],
)
def test_a_bad_keyring_names_the_rule(raw, rule):
    with pytest.raises(KeyringError, match=rule):
        parse_keyring(raw)


def test_tokens_round_trip_and_refuse_tampering_and_expiry(settings):
    token = mint_token(settings, "citizen-1")
    assert verify_token(settings, token).subject == "citizen-1"
    with pytest.raises(InvalidToken):
        verify_token(settings, token[:-2] + "xx")
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(settings, mint_token(settings, "citizen-1", lifetime=timedelta(seconds=-1)))
    other = settings.model_copy(update={"jwt_secret": "another-secret-0123456789-0123456789"})
    with pytest.raises(InvalidToken):
        verify_token(other, token)


def test_citizen_key_is_a_stable_keyed_hash_that_hides_the_id(settings):
    key = citizen_key(settings, "citizen-1")
    assert key == citizen_key(settings, "citizen-1")
    assert "citizen" not in key and len(key) == 32
    other = settings.model_copy(update={"citizen_key_secret": "other"})
    assert citizen_key(other, "citizen-1") != key
